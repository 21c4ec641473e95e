export const EXIT_USAGE = 2;
export const EXIT_CONFIG = 78;

export function usage(): string {
  return `Usage: anomaly-detector <command> [options]

Commands:
  run --config FILE                 run the daemon (stops on SIGTERM/SIGINT, reloads FILE on SIGHUP)
  check-config FILE                 validate FILE, print the resolved configuration (secrets redacted)
                                    and what would be watched; exit 0, or 78 listing every problem
  status --config FILE              per source and host: model, checkpoint, lag, recent anomalies
  score --train TRAIN_FILE INPUT_FILE
                                    offline: train on TRAIN_FILE, print one JSON object per line of
                                    INPUT_FILE ('-' = stdin); options --threshold X, --mask REGEX
  templates FILE                    offline: print the templates mined from FILE with counts

Exit status: 0 ok, 1 failure, 2 usage error, 78 invalid configuration.
`;
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
    } else positional.push(a);
  }
  return { options, positional };
}
