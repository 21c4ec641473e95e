export const EXIT_CONFIG = 78;

export function usage(): string {
  return `Usage: anomaly-detector <command> [options]

Commands:
  run --config FILE                 run the daemon (stops on SIGTERM/SIGINT, reloads FILE on SIGHUP)
  check-config FILE                 validate FILE, print the resolved configuration (secrets redacted)
                                    and what would be watched; exit 0, or 78 listing every problem
  status --config FILE [--json]     per source and host: model, checkpoint, lag, recent anomalies
                                    (run, check-config and status take --environment-file ENV_FILE:
                                    KEY=value lines added to the environment, as for the service)
  score --train TRAIN_FILE INPUT_FILE
                                    offline: train on TRAIN_FILE, print one JSON object per line of
                                    INPUT_FILE ('-' = stdin); options --threshold X, --mask REGEX
  templates FILE                    offline: print the templates mined from FILE with counts;
                                    options --json, --mask REGEX

Every command takes --help; --version prints the version.

Exit status: 0 ok, 1 failure, 2 usage error (for score and templates also an unreadable file),
78 invalid configuration.
`;
}
