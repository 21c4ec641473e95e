// The test database contract (../shared/notes/mongo-test-server.md): MONGODB_URI wins; otherwise a
// FerretDB (SQLite backend) is started on a free loopback port with a fresh data directory,
// and stopped when the run ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { REPO_ROOT } from './paths.js';

const FERRETDB_BIN = process.env.FERRETDB_BIN ?? join(REPO_ROOT, '.cache/bin/ferretdb');

/** A FerretDB process on a fixed port and data directory, so it can be stopped and started again. */
export class FerretServer {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  static async create(): Promise<FerretServer> {
    if (!existsSync(FERRETDB_BIN)) {
      throw new Error(`FerretDB not found at ${FERRETDB_BIN}: run .ci/build-ferretdb.sh, or set MONGODB_URI to a MongoDB server`);
    }
    const server = new FerretServer(await freePort(), mkdtempSync(join(tmpdir(), 'ad-ferretdb-')));
    await server.start();
    return server;
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      FERRETDB_BIN,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${this.dataDir}/`,
        `--state-dir=${this.dataDir}`,
        `--listen-addr=127.0.0.1:${this.port}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    this.child = child;
    this.exited = new Promise((res) => child.once('exit', () => res()));
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (!this.child) throw new Error(`FerretDB exited at start: ${stderr}`);
      if (await canPing(this.uri)) return;
      if (Date.now() > deadline) throw new Error(`FerretDB did not accept connections within 20 s: ${stderr}`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killer);
    this.child = null;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

let shared: Promise<FerretServer | null> | null = null;

/** The connection string of the shared test server (started on first use). */
export async function testMongoUri(): Promise<string> {
  if (process.env.MONGODB_URI) return process.env.MONGODB_URI;
  shared ??= FerretServer.create();
  const server = await shared;
  return server!.uri;
}

/** A private server the test may stop and start (outage tests); null when MONGODB_URI is set. */
export async function ownServer(): Promise<FerretServer | null> {
  if (process.env.MONGODB_URI) return null;
  const server = await FerretServer.create();
  owned.add(server);
  return server;
}
const owned = new Set<FerretServer>();

export async function stopTestServer(): Promise<void> {
  const servers = [...owned];
  owned.clear();
  if (shared) {
    const s = await shared.catch(() => null);
    if (s) servers.push(s);
    shared = null;
  }
  await Promise.all(servers.map((s) => s.destroy()));
}

let dbCounter = 0;
/** A database name no other test file or run uses. */
export function uniqueDbName(prefix: string): string {
  return `t_${prefix}_${process.pid}_${Date.now().toString(36)}_${dbCounter++}`.slice(0, 60);
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function canPing(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

// Interrupted runs (Ctrl-C) must not leave FerretDB processes behind.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void stopTestServer().finally(() => process.exit(130));
  });
}
