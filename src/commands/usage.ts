export const EXIT_USAGE = 2;
export const EXIT_CONFIG = 78;

export function usage(): string {
  return `Usage: anomaly-detector <command> [options]

Commands:
  run --config FILE                 run the daemon (stops on SIGTERM/SIGINT, reloads FILE on SIGHUP)
  check-config FILE                 validate FILE, print the resolved configuration (secrets redacted)
                                    and what would be watched; exit 0, or 78 listing every problem
  status --config FILE [--json]     per source and host: model, checkpoint, lag, recent anomalies
  score --train TRAIN_FILE INPUT_FILE
                                    offline: train on TRAIN_FILE, print one JSON object per line of
                                    INPUT_FILE ('-' = stdin); options --threshold X, --mask REGEX
  templates FILE                    offline: print the templates mined from FILE with counts;
                                    options --json, --mask REGEX

Every command takes --help.

Exit status: 0 ok, 1 failure, 2 usage error, 78 invalid configuration.
`;
}

/** Whether the arguments ask for the command's usage (before anything else is checked). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Parses `--name value` / `--flag` options; positional arguments are returned in order. */
export function parseArgs(
  args: string[],
  spec: Record<string, 'value' | 'flag'>,
): { options: Record<string, string | true>; positional: string[] } | { error: string } {
  const options: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const kind = spec[name];
      if (!kind) return { error: `unknown option --${name}` };
      if (kind === 'flag') options[name] = true;
      else if (eq >= 0) options[name] = a.slice(eq + 1);
      else if (i + 1 < args.length) options[name] = args[++i];
      else return { error: `--${name} needs a value` };
    } else if (a.length > 1 && a.startsWith('-')) return { error: `unknown option ${a}` };
    else positional.push(a);
  }
  return { options, positional };
}
