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
