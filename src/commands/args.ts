// Command-line arguments of every command: one parser, one way to print usage and report a
// usage error (`<command>: <message>`, then the usage, exit 2).

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

/** A failure to report as `<command>: <message>` with exit code 2. */
export class CommandError extends Error {}

/** Whether the arguments ask for the command's usage (before anything else is checked). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

export interface ParsedArgs {
  /** Values of each option given, in order (an empty string per use of a flag). */
  options: Map<string, string[]>;
  positional: string[];
}

/**
 * `--name value`, `--name=value` and flags; `--` ends options. `spec` maps
 * each known option to whether it takes a value.
 */
export function parseArgs(args: readonly string[], spec: Readonly<Record<string, boolean>>): ParsedArgs {
  const options = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      // `-` is standard input; `-x` is not a file name but a mistyped option.
      if (a.length > 1 && a.startsWith('-')) throw new CommandError(`unknown option ${a}`);
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (!Object.hasOwn(spec, name)) throw new CommandError(`unknown option --${name}`);
    let value: string;
    if (!spec[name]) {
      if (eq >= 0) throw new CommandError(`option --${name} takes no value`);
      value = '';
    } else if (eq >= 0) value = a.slice(eq + 1);
    else if (i + 1 < args.length) value = args[++i]!;
    else throw new CommandError(`option --${name} needs a value`);
    const list = options.get(name) ?? [];
    list.push(value);
    options.set(name, list);
  }
  return { options, positional };
}

/** A command's parsed arguments, and how it reports a usage error (message and usage on stderr, exit 2). */
export interface CommandArgs extends ParsedArgs {
  fail: (message: string) => number;
}

/**
 * Parses a command's arguments. Returns the exit code instead when the command is already done:
 * its usage printed for --help, or an argument error reported with the usage.
 */
export function commandArgs(
  name: string,
  usage: string,
  args: readonly string[],
  spec: Readonly<Record<string, boolean>>,
  io: Pick<CommandIo, 'stdout' | 'stderr'>,
): CommandArgs | number {
  const fail = (message: string): number => {
    io.stderr.write(`${name}: ${message}\n${usage}`);
    return EXIT_USAGE;
  };
  if (wantsHelp(args)) {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(args, spec);
  } catch (err) {
    return fail((err as Error).message);
  }
  return { ...parsed, fail };
}

