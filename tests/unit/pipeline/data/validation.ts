// Composable validators for plain objects, with error paths.

export type Result<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };

export interface ValidationError {
  path: string;
  message: string;
}

export type Validator<T> = (input: unknown, path?: string) => Result<T>;

export enum Format {
  Email = "email",
  Url = "url",
}

const PATTERNS: Record<Format, RegExp> = {
  [Format.Email]: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  [Format.Url]: /^https?:\/\/\S+$/,
};

function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

function fail<T>(path: string, message: string): Result<T> {
  return { ok: false, errors: [{ path, message }] };
}

export function string(options: { min?: number; max?: number; format?: Format } = {}): Validator<string> {
  return (input, path = "$") => {
    if (typeof input !== "string") {
      return fail(path, `expected a string, got ${typeof input}`);
    }
    if (options.min !== undefined && input.length < options.min) {
      return fail(path, `shorter than ${options.min}`);
    }
    if (options.max !== undefined && input.length > options.max) {
      return fail(path, `longer than ${options.max}`);
    }
    if (options.format && !PATTERNS[options.format].test(input)) {
      return fail(path, `not a valid ${options.format}`);
    }
    return ok(input);
  };
}

export function number(min = -Infinity, max = Infinity): Validator<number> {
  return (input, path = "$") => {
    if (typeof input !== "number" || Number.isNaN(input)) {
      return fail(path, "expected a number");
    }
    return input < min || input > max ? fail(path, `outside [${min}, ${max}]`) : ok(input);
  };
}

export function array<T>(item: Validator<T>): Validator<T[]> {
  return (input, path = "$") => {
    if (!Array.isArray(input)) {
      return fail(path, "expected an array");
    }
    const values: T[] = [];
    const errors: ValidationError[] = [];
    input.forEach((element, index) => {
      const result = item(element, `${path}[${index}]`);
      if (result.ok) {
        values.push(result.value);
      } else {
        errors.push(...result.errors);
      }
    });
    return errors.length ? { ok: false, errors } : ok(values);
  };
}

export function object<S extends Record<string, Validator<unknown>>>(
  shape: S,
): Validator<{ [K in keyof S]: S[K] extends Validator<infer V> ? V : never }> {
  return (input, path = "$") => {
    if (typeof input !== "object" || input === null) {
      return fail(path, "expected an object");
    }
    const record = input as Record<string, unknown>;
    const errors: ValidationError[] = [];
    const value: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const result = shape[key](record[key], `${path}.${key}`);
      if (result.ok) {
        value[key] = result.value;
      } else {
        errors.push(...result.errors);
      }
    }
    return errors.length ? { ok: false, errors } : ok(value as never);
  };
}

export class ValidationFailure extends Error {
  constructor(public readonly errors: ValidationError[]) {
    super(errors.map((error) => `${error.path}: ${error.message}`).join("; "));
  }
}

export function assertValid<T>(validator: Validator<T>, input: unknown): T {
  const result = validator(input);
  if (!result.ok) {
    throw new ValidationFailure(result.errors);
  }
  return result.value;
}
