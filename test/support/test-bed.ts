// A pair of fresh databases (input and target) on the test server for one describe block, and
// the daemons and in-process supervisors started against them; everything is dropped, killed or
// closed when the block ends.
import { MongoClient, type Db } from 'mongodb';
import { DaemonProcess, writeConfig } from './daemon-process.js';
import { testMongoUri, uniqueDbName } from './mongo-server.js';

export class TestBed {
  client!: MongoClient;
  input!: Db;
  target!: Db;
  uri = '';
  readonly inputName: string;
  readonly targetName: string;
  private readonly daemons: DaemonProcess[] = [];
  /** What else was started against the bed (in-process supervisors): closed with the daemons. */
  private readonly closers: Array<() => Promise<unknown>> = [];

  constructor(prefix: string) {
    this.inputName = uniqueDbName(`${prefix}_in`);
    this.targetName = uniqueDbName(`${prefix}_out`);
  }

  async open(): Promise<void> {
    this.uri = await testMongoUri();
    this.client = await new MongoClient(this.uri).connect();
    this.input = this.client.db(this.inputName);
    this.target = this.client.db(this.targetName);
  }

  /** Registers `close` to run when the bed stops what was started against it. */
  onStop(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  /** Kills the daemons and closes the supervisors started so far (before a test that needs the lease). */
  async stopAll(): Promise<void> {
    for (const d of this.daemons.splice(0)) await d.stop('SIGKILL');
    for (const close of this.closers.splice(0)) await close();
  }

  async close(): Promise<void> {
    await this.stopAll();
    await this.input?.dropDatabase().catch(() => undefined);
    await this.target?.dropDatabase().catch(() => undefined);
    await this.client?.close();
  }

  /** A config file in the original multihost.yaml format naming this bed's databases, plus `body`; `overwrite` rewrites an existing one. */
  writeConfig(body: string, overwrite?: string): { file: string; dir: string } {
    return writeConfig(this.uri, `MG_INPUT_DB: "${this.inputName}"\nMG_TARGET_DB: "${this.targetName}"\n${body}`, overwrite);
  }

  /**
   * writeConfig() with the settings most tests use: polling every 0.2 s, 50 lines enough to train,
   * and one source watching `hosts`; `extra` keys come before LOG_SOURCES.
   */
  writeSourceConfig(hosts: string[], opts: { source?: string; target?: string; extra?: string } = {}): { file: string; dir: string } {
    return this.writeConfig(`POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
${opts.extra ?? ''}LOG_SOURCES:
  ${JSON.stringify(opts.source ?? 'syslog')}:
    HOSTNAMES: ${JSON.stringify(hosts)}
    MG_TARGET_COL: ${JSON.stringify(opts.target ?? 'anomaly')}
`);
  }

  startDaemon(configFile: string): DaemonProcess {
    const d = new DaemonProcess(configFile);
    this.daemons.push(d);
    return d;
  }

  /** startDaemon(), once the daemon has logged that it started (its hosts are being set up). */
  async startedDaemon(configFile: string): Promise<DaemonProcess> {
    const d = this.startDaemon(configFile);
    await d.waitForLog((l) => l.msg === 'started', 60_000, 'started');
    return d;
  }
}

/** Registers before/after hooks for a TestBed; `seed` fills the input database once. */
export function useTestBed(prefix: string, seed: (bed: TestBed) => Promise<void>): TestBed {
  const bed = new TestBed(prefix);
  before(async () => {
    await bed.open();
    await seed(bed);
  });
  after(async () => bed.close());
  return bed;
}
