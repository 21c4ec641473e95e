// A Supervisor in the test process (not a daemon child), with a worker entry from
// test/fixtures/workers, its log lines collected as objects; for tests that drive it directly.
// The bed closes it with its daemons (TestBed.stopAll).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import type { DaemonConfig } from '../../src/config/schema.js';
import { Supervisor, type SupervisorOptions } from '../../src/supervisor/supervisor.js';
import type { CuttingProxy } from './cutting-proxy.js';
import { withTestRetrainCron } from './daemon-process.js';
import { waitUntil } from './seed.js';
import type { TestBed } from './test-bed.js';
import { tempDir } from './temp-dir.js';

export interface InProcess {
  supervisor: Supervisor;
  logs: Array<Record<string, unknown>>;
  /** Log lines with message `msg` (as DaemonProcess.count). */
  count: (msg: string) => number;
  /** MODEL_DIR (also where the config file would live). */
  dir: string;
  /** The configuration for other hosts, masks or keys, in this bed and MODEL_DIR (for reload). */
  config: (hosts: string[], extra?: string) => DaemonConfig;
}

/** `uri`: another way to the bed's server (a CuttingProxy); `supervisor`: the Supervisor's test options. */
export interface InProcessOptions {
  uri?: string;
  /** WORKERS (scoring threads); 1 by default. */
  workers?: number;
  supervisor?: Omit<SupervisorOptions, 'workerEntry'>;
}

export function startInProcess(bed: TestBed, hosts: string[], fixture: string, extra = '', dir = tempDir('ad-inproc-'), options: InProcessOptions = {}): InProcess {
  const config = (h: string[], more = extra): DaemonConfig =>
    parseConfigText(
      withTestRetrainCron(`MONGODB_URI: "${options.uri ?? bed.uri}"
MG_INPUT_DB: "${bed.inputName}"
MG_TARGET_DB: "${bed.targetName}"
MODEL_DIR: "${dir}"
POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
WORKERS: ${options.workers ?? 1}
${more}LOG_SOURCES:
  "syslog":
    HOSTNAMES: ${JSON.stringify(h)}
    MG_TARGET_COL: "anomaly"
`),
      'in-process.yaml',
      dir,
    );
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const entry = new URL(`../fixtures/workers/${fixture}.js`, import.meta.url).href;
  const supervisor = new Supervisor(config(hosts), pino({ level: 'debug' }, sink), { ...options.supervisor, workerEntry: entry });
  supervisor.start();
  bed.onStop(() => supervisor.close());
  const count = (msg: string): number => logs.filter((l) => l.msg === msg).length;
  return { supervisor, logs, count, dir, config };
}

/**
 * Two supervisors of `hosts` with worker entry `fixture`: A, trained and holding the lease, reaches
 * MongoDB through `proxy` (so a test can cut it off) and retries a failed step every 2 s; B, the
 * standby, reaches it directly.
 */
export async function startHolderAndStandby(bed: TestBed, proxy: CuttingProxy, hosts: string[], fixture: string): Promise<{ a: InProcess; b: InProcess }> {
  const a = startInProcess(bed, hosts, fixture, '', undefined, { uri: proxy.uri(bed.uri), supervisor: { retryDelayMs: () => 2000 } });
  await waitUntil('A trained', async () => a.count('trained') === hosts.length, 60_000);
  const b = startInProcess(bed, hosts, fixture);
  await waitUntil('B is a standby', async () => b.logs.some((l) => String(l.msg).startsWith('another anomaly-detector is running')), 30_000);
  return { a, b };
}
