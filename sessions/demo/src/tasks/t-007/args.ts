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

export function parseArgs(argv: string[], defaultEnvironment: string, allowedEnvironments: string[], maxParallel: number): DeployOptions {
  const options: DeployOptions = {
    environment: defaultEnvironment,
    services: [],
    dryRun: false,
    verbose: 0,
    timeoutSeconds: 600,
    tag: null,
    parallel: 1,
    skipTests: false,
    configPath: "deploy.json",
  };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i];
    if (arg === "--env" || arg === "-e") {
      if (i + 1 < argv.length) {
        const value = argv[i + 1];
        if (allowedEnvironments.indexOf(value) >= 0) {
          options.environment = value;
        } else {
          throw new ArgsError("unknown environment: " + value);
        }
        i = i + 2;
      } else {
        throw new ArgsError(arg + " needs a value");
      }
    } else if (arg === "--service" || arg === "-s") {
      if (i + 1 < argv.length) {
        const value = argv[i + 1];
        if (value.indexOf(",") >= 0) {
          const parts = value.split(",");
          for (let j = 0; j < parts.length; j++) {
            if (parts[j].trim() !== "") {
              options.services.push(parts[j].trim());
            }
          }
        } else {
          options.services.push(value);
        }
        i = i + 2;
      } else {
        throw new ArgsError(arg + " needs a value");
      }
    } else if (arg === "--timeout" || arg === "-t") {
      if (i + 1 < argv.length) {
        const n = parseInt(argv[i + 1], 10);
        if (isNaN(n) || n <= 0) {
          throw new ArgsError("timeout must be a positive number of seconds");
        }
        options.timeoutSeconds = n;
        i = i + 2;
      } else {
        throw new ArgsError(arg + " needs a value");
      }
    } else if (arg === "--parallel" || arg === "-p") {
      if (i + 1 < argv.length) {
        const n = parseInt(argv[i + 1], 10);
        if (isNaN(n) || n <= 0) {
          throw new ArgsError("parallel must be a positive number");
        }
        if (n > maxParallel) {
          options.parallel = maxParallel;
        } else {
          options.parallel = n;
        }
        i = i + 2;
      } else {
        throw new ArgsError(arg + " needs a value");
      }
    } else if (arg === "--tag") {
      if (i + 1 < argv.length) {
        options.tag = argv[i + 1];
        i = i + 2;
      } else {
        throw new ArgsError(arg + " needs a value");
      }
    } else if (arg === "--config" || arg === "-c") {
      if (i + 1 < argv.length) {
        options.configPath = argv[i + 1];
        i = i + 2;
      } else {
        throw new ArgsError(arg + " needs a value");
      }
    } else if (arg === "--dry-run" || arg === "-n") {
      options.dryRun = true;
      i = i + 1;
    } else if (arg === "--skip-tests") {
      options.skipTests = true;
      i = i + 1;
    } else if (arg === "-v" || arg === "--verbose") {
      options.verbose = options.verbose + 1;
      i = i + 1;
    } else if (arg === "-vv") {
      options.verbose = options.verbose + 2;
      i = i + 1;
    } else {
      throw new ArgsError("unknown option: " + arg);
    }
  }
  if (options.services.length === 0) {
    throw new ArgsError("at least one --service is required");
  }
  if (options.environment === "production") {
    if (options.skipTests) {
      throw new ArgsError("--skip-tests is not allowed in production");
    }
    if (options.parallel > 2) {
      options.parallel = 2;
    }
  }
  return options;
}

export function usage(programName: string, allowedEnvironments: string[]): string {
  let text = "usage: " + programName + " [options]\n";
  text = text + "  -e, --env NAME        one of: " + allowedEnvironments.join(", ") + "\n";
  text = text + "  -s, --service NAME    service to deploy (repeat, or comma-separated)\n";
  text = text + "  -t, --timeout SECS    give up after SECS seconds (default 600)\n";
  text = text + "  -p, --parallel N      deploy N services at once\n";
  text = text + "      --tag TAG         image tag to deploy\n";
  text = text + "  -c, --config PATH     deploy config (default deploy.json)\n";
  text = text + "  -n, --dry-run         print the plan only\n";
  text = text + "      --skip-tests      do not run smoke tests\n";
  text = text + "  -v, --verbose         more output (repeatable)\n";
  return text;
}
