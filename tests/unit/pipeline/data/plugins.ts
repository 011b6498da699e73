// A plugin registry with decorators, overloads, abstract classes and a namespace of helpers.

export interface PluginContext {
  log(message: string, ...details: unknown[]): void;
  readonly version: string;
}

export abstract class Plugin<Options extends object = Record<string, never>> {
  protected constructor(public readonly name: string, protected options: Options) {}

  abstract activate(context: PluginContext): Promise<void> | void;

  deactivate?(context: PluginContext): void;

  describe(): string {
    return `${this.name} ${JSON.stringify(this.options)}`;
  }
}

type Constructor<T> = new (...args: any[]) => T;

const registry = new Map<string, Constructor<Plugin<any>>>();

export function register(name: string) {
  return function <T extends Constructor<Plugin<any>>>(target: T): T {
    if (registry.has(name)) {
      throw new Error(`plugin ${name} is already registered`);
    }
    registry.set(name, target);
    return target;
  };
}

export function create(name: string): Plugin<any>;
export function create(name: string, options: object): Plugin<any>;
export function create(name: string, options: object = {}): Plugin<any> {
  const PluginClass = registry.get(name);
  if (!PluginClass) {
    throw new Error(`unknown plugin ${name}`);
  }
  return new PluginClass(name, options);
}

@register("greeter")
export class GreeterPlugin extends Plugin<{ greeting: string }> {
  constructor(name: string, options: { greeting?: string }) {
    super(name, { greeting: options.greeting ?? "hello" });
  }

  activate(context: PluginContext): void {
    context.log(`${this.options.greeting} from ${this.name}`, { version: context.version });
  }
}

export namespace PluginHelpers {
  export function names(): string[] {
    return [...registry.keys()].sort();
  }

  export function isRegistered(name: string): boolean {
    return registry.has(name);
  }

  export const clear = (): void => registry.clear();
}

export async function activateAll(plugins: readonly Plugin<any>[], context: PluginContext): Promise<string[]> {
  const activated: string[] = [];
  for (const plugin of plugins) {
    try {
      await plugin.activate(context);
      activated.push(plugin.name);
    } catch (error: unknown) {
      context.log(`failed to activate ${plugin.name}`, error);
    }
  }
  return activated;
}
