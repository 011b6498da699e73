// Command-line parsing for the `deployctl` tool. Hand-rolled because the library we used was abandoned.

export interface DeployOptions {
  environment: string;
  services: string[];
  dryRun: boolean;
  verbose: number;
  timeoutSeconds: number;
  tag: string | null;
  parallel: number;
  skipTests: boolean;
  configPath: string;
}

export class ArgsError extends Error {}

interface ParseContext {
  allowedEnvironments: string[];
  maxParallel: number;
}

interface OptionSpec {
  names: string[];
  help: string;
  // Options with a value get it as `value`; flags are called with null.
  takesValue: boolean;
  apply: (options: DeployOptions, value: string | null, context: ParseContext) => void;
}

const PRODUCTION_MAX_PARALLEL = 2;

function positiveInteger(value: string, what: string): number {
  const n = parseInt(value, 10);
  if (isNaN(n) || n <= 0) {
    throw new ArgsError(what);
  }
  return n;
}

function splitServices(value: string): string[] {
  return value.split(",").map((part) => part.trim()).filter((part) => part !== "");
}

const OPTION_SPECS: OptionSpec[] = [
  {
    names: ["-e", "--env"], help: "NAME        one of: {environments}", takesValue: true,
    apply: (options, value, context) => {
      if (context.allowedEnvironments.indexOf(value!) < 0) {
        throw new ArgsError("unknown environment: " + value);
      }
      options.environment = value!;
    },
  },
  {
    names: ["-s", "--service"], help: "NAME    service to deploy (repeat, or comma-separated)", takesValue: true,
    apply: (options, value) => {
      options.services.push(...splitServices(value!));
    },
  },
  {
    names: ["-t", "--timeout"], help: "SECS    give up after SECS seconds (default 600)", takesValue: true,
    apply: (options, value) => {
      options.timeoutSeconds = positiveInteger(value!, "timeout must be a positive number of seconds");
    },
  },
  {
    names: ["-p", "--parallel"], help: "N      deploy N services at once", takesValue: true,
    apply: (options, value, context) => {
      options.parallel = Math.min(positiveInteger(value!, "parallel must be a positive number"), context.maxParallel);
    },
  },
  {
    names: ["--tag"], help: "TAG         image tag to deploy", takesValue: true,
    apply: (options, value) => { options.tag = value; },
  },
  {
    names: ["-c", "--config"], help: "PATH     deploy config (default deploy.json)", takesValue: true,
    apply: (options, value) => { options.configPath = value!; },
  },
  {
    names: ["-n", "--dry-run"], help: "        print the plan only", takesValue: false,
    apply: (options) => { options.dryRun = true; },
  },
  {
    names: ["--skip-tests"], help: "     do not run smoke tests", takesValue: false,
    apply: (options) => { options.skipTests = true; },
  },
  {
    names: ["-v", "--verbose"], help: "        more output (repeatable)", takesValue: false,
    apply: (options) => { options.verbose += 1; },
  },
  {
    names: ["-vv"], help: "", takesValue: false,
    apply: (options) => { options.verbose += 2; },
  },
];

function findSpec(arg: string): OptionSpec {
  const spec = OPTION_SPECS.find((candidate) => candidate.names.indexOf(arg) >= 0);
  if (!spec) {
    throw new ArgsError("unknown option: " + arg);
  }
  return spec;
}

function defaultOptions(environment: string): DeployOptions {
  return {
    environment: environment,
    services: [],
    dryRun: false,
    verbose: 0,
    timeoutSeconds: 600,
    tag: null,
    parallel: 1,
    skipTests: false,
    configPath: "deploy.json",
  };
}

// Rules that depend on the whole command line, checked after every option is read.
function checkCombination(options: DeployOptions): void {
  if (options.services.length === 0) {
    throw new ArgsError("at least one --service is required");
  }
  if (options.environment !== "production") {
    return;
  }
  if (options.skipTests) {
    throw new ArgsError("--skip-tests is not allowed in production");
  }
  options.parallel = Math.min(options.parallel, PRODUCTION_MAX_PARALLEL);
}

export function parseArgs(argv: string[], defaultEnvironment: string, allowedEnvironments: string[], maxParallel: number): DeployOptions {
  const options = defaultOptions(defaultEnvironment);
  const context: ParseContext = { allowedEnvironments, maxParallel };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i];
    const spec = findSpec(arg);
    if (spec.takesValue && i + 1 >= argv.length) {
      throw new ArgsError(arg + " needs a value");
    }
    spec.apply(options, spec.takesValue ? argv[i + 1] : null, context);
    i += spec.takesValue ? 2 : 1;
  }
  checkCombination(options);
  return options;
}

export function usage(programName: string, allowedEnvironments: string[]): string {
  const lines = OPTION_SPECS.filter((spec) => spec.help !== "").map((spec) => {
    const [first, second] = spec.names;
    const names = second ? first + ", " + second : "    " + first;
    const help = spec.help.replace("{environments}", allowedEnvironments.join(", "));
    return "  " + names + " " + help;
  });
  return "usage: " + programName + " [options]\n" + lines.join("\n") + "\n";
}
