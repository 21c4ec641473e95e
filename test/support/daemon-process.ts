// Runs the real daemon as a child process (`node dist/src/cli.js run --config FILE`) and reads
// its JSON log lines, so tests see exactly what an operator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tempDir } from './temp-dir.js';

export const CLI = resolve(new URL('.', import.meta.url).pathname, '../../src/cli.js');

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** Appends each JSON log line of the daemon's stdout to `logs` (a non-JSON line is kept as text). */
export function collectJsonLogs(stdout: NodeJS.ReadableStream, logs: LogLine[]): void {
  let buf = '';
  stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ level: 0, msg: `(not json) ${line}` });
      }
    }
  });
}

export class DaemonProcess {
  readonly logs: LogLine[] = [];
  stderr = '';
  private child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(configFile: string, env: NodeJS.ProcessEnv = {}) {
    const childEnv = { ...process.env, ...env };
    delete childEnv.MONGODB_URI; // the config file names the server under test
    this.child = spawn(process.execPath, [CLI, 'run', '--config', configFile], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    collectJsonLogs(this.child.stdout!, this.logs);
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((res) => this.child.once('exit', (code, signal) => res({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  count(msg: string | RegExp): number {
    return this.logs.filter((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg))).length;
  }

  async waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 60_000, what = 'log line'): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    let exitInfo: unknown = null;
    void this.exited.then((e) => (exitInfo = e));
    for (;;) {
      const hit = this.logs.find(pred);
      if (hit) return hit;
      if (exitInfo) throw new Error(`daemon exited (${JSON.stringify(exitInfo)}) before ${what}; stderr: ${this.stderr}\nlogs: ${this.dump()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; logs: ${this.dump()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async waitForCount(msg: string, n: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.count(msg) < n) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} x "${msg}"; logs: ${this.dump()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  async stop(sig: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(sig);
    return this.exited;
  }

  dump(): string {
    return this.logs
      .slice(-40)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }
}

/**
 * RETRAIN_CRON of the tests' configurations that set none: February 29 at midnight, so that a test's
 * daemon retrains only when the test asks it to. With the default (Sunday 03:00) every daemon of a
 * test running at that moment retrained, and counts of trainings and batches saw one more.
 */
export const TEST_RETRAIN_CRON = '0 0 29 2 *';

/** `yaml` with RETRAIN_CRON set to TEST_RETRAIN_CRON unless it sets one itself. */
export function withTestRetrainCron(yaml: string): string {
  return /^RETRAIN_CRON:/m.test(yaml) ? yaml : `RETRAIN_CRON: "${TEST_RETRAIN_CRON}"\n${yaml}`;
}

/** Writes a config file in the original multihost.yaml format (plus test-speed settings). */
export function writeConfig(uri: string, yamlBody: string, overwrite?: string): { file: string; dir: string } {
  const dir = overwrite ? dirname(overwrite) : tempDir('ad-daemon-');
  const m = /^mongodb:\/\/127\.0\.0\.1:(\d+)\/$/.exec(uri);
  // Against the harness's own server, use the original MG_HOST/MG_PORT keys; otherwise the URI.
  const conn = m && !process.env.MONGODB_URI ? `MG_HOST: "127.0.0.1"\nMG_PORT: ${m[1]}\n` : `MONGODB_URI: ${JSON.stringify(uri)}\n`;
  const file = join(dir, 'multihost.yaml');
  writeFileSync(file, `STORAGE_DATASOURCE: "mg"\nSTORAGE_DATASINK: "mg"\n${conn}MODEL_DIR: "${dir}/models"\n${withTestRetrainCron(yamlBody)}`);
  return { file, dir };
}
