// The daemon: config -> supervisor; signals: SIGTERM/SIGINT stop (a second one forces), SIGHUP reloads.
import { loadConfig } from '../config/load.js';
import { redactUri } from '../config/redact.js';
import { ConfigError } from '../config/schema.js';
import { startHttp, type HttpServer } from '../http/server.js';
import { createLogger } from '../log.js';
import { MODEL_DIR_IS_FILE, MODEL_DIR_UNDER_FILE, prepareModelDir } from '../store/model-files.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { commandArgs } from './args.js';
import { releaseReloads } from './early-reload.js';
import { EXIT_CONFIG } from './usage.js';

/** Whole shutdown budget; systemd's TimeoutStopSec is set above it. */
const STOP_DEADLINE_MS = 9500;

const RUN_USAGE = `usage: anomaly-detector run --config FILE [--environment-file ENV_FILE]
  runs the daemon; stops on SIGTERM/SIGINT, reloads FILE (and ENV_FILE) on SIGHUP
  --environment-file ENV_FILE   KEY=value lines (the service's EnvironmentFile) added to the environment
`;

export async function runDaemon(args: string[]): Promise<number> {
  const parsed = commandArgs('run', RUN_USAGE, args, { config: true, 'environment-file': true }, process);
  if (typeof parsed === 'number') return parsed;
  const given = parsed.options.get('config');
  if (given?.length !== 1 || parsed.positional.length > 0) return parsed.fail('exactly one --config FILE is required');
  const file = given[0]!;
  if (file === '') return parsed.fail('--config is empty: name the configuration file');
  if (file === '-' || file === '/dev/stdin') return parsed.fail('--config must name a file: the daemon reads it again on SIGHUP (check-config takes - for standard input)');
  const envFiles = parsed.options.get('environment-file') ?? [];
  let config;
  try {
    config = loadConfig(file, envFiles);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      createLogger('error').fatal({ file, problems: err.problems }, 'invalid configuration; exiting with status 78');
      return EXIT_CONFIG;
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  try {
    const { removed } = await prepareModelDir(config.modelDir);
    if (removed > 0) log.info({ modelDir: config.modelDir, removed }, 'removed temporary files of model writes cut short');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EEXIST' ? MODEL_DIR_IS_FILE : e.code === 'ENOTDIR' ? MODEL_DIR_UNDER_FILE : e.message;
    const message = `MODEL_DIR ${config.modelDir} cannot be used as the model directory: ${why}`;
    process.stderr.write(`${file}: ${message}\n`);
    log.fatal({ file, modelDir: config.modelDir, err: e.message }, `${message}; exiting with status 78`);
    return EXIT_CONFIG;
  }
  log.info(
    { config: file, mongodb: redactUri(config.mongoUri), inputDb: config.inputDb, targetDb: config.targetDb, modelDir: config.modelDir },
    'starting',
  );
  const supervisor = new Supervisor(config, log);
  supervisor.start();
  let http: HttpServer | null = null;
  if (config.httpListen) {
    try {
      http = await startHttp(config.httpListen, supervisor);
      log.info({ listen: `${config.httpListen.host}:${http.port}` }, 'http listener started (/healthz, /metrics)');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'http listener failed to start; continuing without it');
    }
  }

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal: forcing exit');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'stopping');
      // If cleanup hangs, say so and leave anyway: systemd must not have to SIGKILL us.
      setTimeout(() => {
        log.error('shutdown did not finish in time; exiting');
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      void (async () => {
        await http?.close().catch(() => undefined);
        await supervisor.close(STOP_DEADLINE_MS - 2500);
        log.info('stopped');
        resolveExit(0);
        // Lingering sockets or timers of libraries must not keep the process alive.
        setImmediate(() => process.exit(0));
      })();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    const reload = (): void => {
      if (stopping) return;
      try {
        const next = loadConfig(file, envFiles);
        const needRestart = supervisor.reload(next, file);
        log.level = next.logLevel;
        // The hosts of the new file: its pipelines are added once their collections are prepared.
        const hosts = next.sources.reduce((n, s) => n + s.hostnames.length, 0);
        log.info({ config: file, hosts, needRestart }, 'configuration reloaded');
      } catch (err) {
        log.error(
          { config: file, problems: err instanceof ConfigError ? err.problems : (err as Error).message },
          'reload refused: the new configuration is invalid; the running configuration stays in force',
        );
      }
    };
    process.on('SIGHUP', reload);
    // One asked for while it started: the file may have changed since it was read.
    if (releaseReloads()) {
      log.info('a reload was asked for while starting');
      reload();
    }
  });
}
