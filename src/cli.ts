#!/usr/bin/env node
// argv -> command; exit codes: 0 ok, 1 runtime failure, 2 usage, 78 bad configuration (EX_CONFIG).
// First: `run` holds a SIGHUP from here on (early-reload.ts).
import './commands/early-reload.js';
// Then: it sets how every pattern of the process runs.
import './regexp-guard.js';
import { EXIT_USAGE, wantsHelp } from './commands/args.js';
import { usage } from './commands/usage.js';
import { EXIT_OUTPUT, outputErrorMessage, watchOutput } from './commands/output.js';

/** Commands that watch their own standard output (see withOutput); the daemon logs there. */
const OWN_OUTPUT = new Set(['run', 'score', 'templates']);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
  // A diagnostic that cannot be written (stderr closed or full) must not end a command that is
  // producing its real output; without a listener, the stream's error event would.
  process.stderr.on('error', () => undefined);
  // A command's --help is printed before the command watches its output.
  if (!OWN_OUTPUT.has(command ?? '') || wantsHelp(rest)) {
    // `check-config ... | head -1` ends quietly; `check-config ... > /dev/full` says so and fails.
    watchOutput(process.stdout, (err) => {
      // May come after the command returned: the exit status still says it.
      process.stderr.write(outputErrorMessage('anomaly-detector', err));
      outputFailed = true;
      process.exitCode = EXIT_OUTPUT;
    });
  }
  // Each command loads only its own modules: the offline commands need neither the MongoDB driver
  // nor the worker pool, whose loading took most of a short `score` run (1.1 s for one line on a
  // slow machine).
  switch (command) {
    case 'run':
      return (await import('./commands/run.js')).runDaemon(rest);
    case 'check-config':
      return (await import('./commands/check-config.js')).runCheckConfig(rest, io);
    case 'status':
      return (await import('./commands/status.js')).runStatus(rest, io);
    case 'score':
      return (await import('./offline/score-command.js')).runScoreCommand(rest, io);
    case 'templates':
      return (await import('./offline/templates-command.js')).runTemplatesCommand(rest, io);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(usage());
      return 0;
    case '--version':
      process.stdout.write(`${await version()}\n`);
      return 0;
    default:
      process.stderr.write(`${command ? `unknown command: ${command}\n` : ''}${usage()}`);
      return EXIT_USAGE;
  }
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

let outputFailed = false;

main(process.argv.slice(2)).then(
  (code) => {
    // The daemon keeps running on its own; other commands end here.
    if (code >= 0 && !outputFailed) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`anomaly-detector: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
