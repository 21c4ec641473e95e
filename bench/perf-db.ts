// The database side of the benchmark: the test server (MONGODB_URI, or a private FerretDB started
// like the test suite does), daemon config files, the real daemon as a child process, and seeding.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { CLI, collectJsonLogs, type LogLine } from '../test/support/daemon-process.js';
import { FerretServer } from '../test/support/mongo-server.js';
import { lineSource } from './perf-lines.js';
import { findPid, statusBytes } from './perf-proc.js';

export interface BenchDb {
  uri: string;
  /** True for the bench's own FerretDB (SQLite backend); false for a server given by MONGODB_URI. */
  ferret: boolean;
  /** FerretDB's pid (for its CPU time), null for an external server. */
  serverPid: number | null;
  client: MongoClient;
  describe: string;
  close(): Promise<void>;
  /** Synchronous last-resort cleanup for an interrupted run. */
  killNow(): void;
}

export async function openDb(): Promise<BenchDb> {
  const envUri = process.env.MONGODB_URI;
  const server = envUri ? null : await FerretServer.create();
  const uri = envUri ?? server!.uri;
  const client = await new MongoClient(uri).connect();
  const serverPid = server ? findPid(`--listen-addr=127.0.0.1:${server.port}`) : null;
  let version = '';
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    version = String(info.version ?? '');
  } catch {
    // not important
  }
  return {
    uri,
    ferret: server !== null,
    serverPid,
    client,
    describe: server ? `FerretDB ${version} (SQLite backend), started by the bench` : `MongoDB ${version} from MONGODB_URI`,
    async close() {
      await client.close().catch(() => undefined);
      await server?.destroy();
    },
    killNow() {
      if (serverPid) {
        try {
          process.kill(serverPid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (server) rmSync(server.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A daemon configuration in `dir` (models in dir/models). Input indexes are created on MongoDB;
 * on FerretDB they are left out because its SQLite backend does not use them for these queries
 * (every query scans the collection) and creating them would only add to start-up time.
 */
export function writeDaemonConfig(dir: string, db: BenchDb, body: string, name = 'bench.yaml'): string {
  const m = /^mongodb:\/\/127\.0\.0\.1:(\d+)\/$/.exec(db.uri);
  const conn = db.ferret && m ? `MG_HOST: "127.0.0.1"\nMG_PORT: ${m[1]}\n` : `MONGODB_URI: ${JSON.stringify(db.uri)}\n`;
  const file = join(dir, name);
  writeFileSync(
    file,
    `STORAGE_DATASOURCE: "mg"\nSTORAGE_DATASINK: "mg"\n${conn}MODEL_DIR: "${dir}/models"\nCREATE_INPUT_INDEXES: ${!db.ferret}\n${body}`,
  );
  return file;
}

const live = new Set<ChildProcess>();

/** Kills every daemon still running (interrupted run). */
export function killDaemonsNow(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/** The real daemon (`node dist/src/cli.js run --config FILE`), with its JSON log lines parsed. */
export class BenchDaemon {
  readonly logs: LogLine[] = [];
  readonly spawnedAt = Date.now();
  stderr = '';
  private readonly child: ChildProcess;
  private exitInfo: string | null = null;
  readonly exited: Promise<void>;

  /** `cpus` pins the daemon (and the worker threads it starts) with taskset, e.g. "0,1". */
  constructor(configFile: string, opts: { nodeArgs?: string[]; cpus?: string } = {}) {
    const nodeArgv = [...(opts.nodeArgs ?? []), CLI, 'run', '--config', configFile];
    const [cmd, args] = opts.cpus ? ['taskset', ['-c', opts.cpus, process.execPath, ...nodeArgv]] : [process.execPath, nodeArgv];
    const env = { ...process.env };
    delete env.MONGODB_URI; // the config file names the server
    this.child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    collectJsonLogs(this.child.stdout!, this.logs);
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-8000);
    });
    this.exited = new Promise((res) =>
      this.child.once('exit', (code, signal) => {
        this.exitInfo = `code ${code} signal ${signal}`;
        live.delete(this.child);
        res();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  count(msg: string): number {
    let n = 0;
    for (const l of this.logs) if (l.msg === msg) n++;
    return n;
  }

  async waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (this.exitInfo) throw new Error(`daemon exited (${this.exitInfo}) before ${what}; stderr: ${this.stderr.slice(-1500)} logs: ${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; logs: ${this.tail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Errors the daemon logged (level >= 50), for the report. */
  errors(): LogLine[] {
    return this.logs.filter((l) => l.level >= 50);
  }

  vmHWM(): number {
    return statusBytes(this.pid, 'VmHWM');
  }

  /** SIGTERM (the daemon writes its CPU profile on a clean exit), SIGKILL after 20 s. */
  async stop(): Promise<void> {
    if (this.exitInfo) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(killer);
  }

  tail(n = 15): string {
    return this.logs
      .slice(-n)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }
}

const DAY = 86_400_000;

/** `n` history lines of one host, timestamps spread over the last `days` days, oldest first. */
export function historyDocs(host: string, n: number, seed: number, days = 30): Document[] {
  const src = lineSource(seed);
  const now = Date.now();
  const docs: Document[] = [];
  for (let i = 0; i < n; i++) docs.push({ Hostname: host, Message: src.next(), timestamp: new Date(now - days * DAY + ((i + 0.5) / n) * days * DAY) });
  return docs;
}

/** Interleaves several hosts' documents by timestamp, as a shared collection would receive them. */
export function interleave(perHost: Document[][]): Document[] {
  return perHost.flat().sort((a, b) => (a.timestamp as Date).getTime() - (b.timestamp as Date).getTime());
}

export async function insertBatched(coll: Collection, docs: Document[], batch = 1000): Promise<void> {
  for (let i = 0; i < docs.length; i += batch) await coll.insertMany(docs.slice(i, i + batch), { ordered: true });
}

export async function dropDatabases(client: MongoClient, names: string[]): Promise<void> {
  for (const n of names) await client.db(n).dropDatabase().catch(() => undefined);
}

/** Sum of a numeric field over the checkpoint documents of the given hosts. */
export async function checkpointSum(client: MongoClient, stateDb: string, source: string, field: 'lines_scored' | 'anomalies'): Promise<{ sum: number; lastUpdate: number; docs: Document[] }> {
  const docs = await client.db(stateDb).collection('anomaly_detector_state').find({ source }).toArray();
  let sum = 0;
  let lastUpdate = 0;
  for (const d of docs) {
    sum += Number(d[field] ?? 0);
    const u = d.updated_at instanceof Date ? d.updated_at.getTime() : 0;
    if (u > lastUpdate) lastUpdate = u;
  }
  return { sum, lastUpdate, docs };
}
