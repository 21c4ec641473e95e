// A TCP proxy in front of the test server that cuts one connection at a chosen message: either
// after passing it on, when the server's reply comes (the write is applied and its reply lost, as
// when a network drops mid-request), or before passing it on (the write never reaches the server).
// It can also hold one message back until the test lets it go: a server slow to answer one command.
// Messages are told apart by the bytes of the wire protocol (int32 length first), so tests can pick
// one command, e.g. the update of a checkpoint.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { TestBed } from './test-bed.js';

export type Cut = 'reply' | 'request';

export class CuttingProxy {
  private armed: { match: (message: Buffer) => boolean; cut: Cut; times: number } | null = null;
  /** MongoDB "gone": every connection closed at once (down) until up. */
  private refusing = false;
  private readonly sockets = new Set<Socket>();
  /** Connections cut so far. */
  cuts = 0;
  private holding: ((message: Buffer) => boolean) | null = null;
  /** Passes on what each connection held back (holdAt). */
  private readonly releases: Array<() => void> = [];
  /** Messages held back so far (holdAt). */
  held = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** A proxy to host:port of a plain single-host connection string; null for any other (SRV, several hosts, TLS). */
  static async start(uri: string): Promise<CuttingProxy | null> {
    const u = new URL(uri);
    if (u.protocol !== 'mongodb:' || u.host.includes(',') || /tls=true|ssl=true/i.test(u.search)) return null;
    const target = { host: u.hostname, port: Number(u.port || 27017) };
    let proxy: CuttingProxy | null = null;
    const server = createServer((client) => proxy!.relay(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    proxy = new CuttingProxy(server, address.port);
    return proxy;
  }

  /** A connection string through the proxy, to one server, with no write retried by the driver. */
  uri(original: string): string {
    const u = new URL(original);
    u.host = `127.0.0.1:${this.port}`;
    u.searchParams.set('directConnection', 'true');
    u.searchParams.set('retryWrites', 'false');
    return u.toString();
  }

  /**
   * Cuts the connection of the next client message for which `match` holds, `times` times (reads
   * need 2: the driver retries a read once).
   */
  cutAt(match: (message: Buffer) => boolean, cut: Cut, times = 1): void {
    this.armed = { match, cut, times };
  }

  /**
   * Holds back the next client message for which `match` holds, and what its connection sends
   * after it, until release(): the command waits for its answer as long as the test wants.
   */
  holdAt(match: (message: Buffer) => boolean): void {
    this.holding = match;
  }

  /** Passes on the messages held back (holdAt). */
  release(): void {
    this.holding = null;
    for (const release of this.releases.splice(0)) release();
  }

  /** Closes every connection and refuses new ones, as when the server goes away. */
  down(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
  }

  /** Lets connections through again. */
  up(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(target);
    this.sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    let cutOnReply = false;
    /** Messages held back on this connection (holdAt), in order; null while none is. */
    let held: Buffer[] | null = null;
    const cut = (): void => {
      this.cuts++;
      client.destroy();
      upstream.destroy();
    };
    upstream.on('data', (data: Buffer) => (cutOnReply ? cut() : client.write(data)));
    client.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const message = pending.subarray(0, pending.readInt32LE(0));
        pending = pending.subarray(message.length);
        if (held !== null) {
          held.push(message);
          continue;
        }
        if (this.holding !== null && this.holding(message)) {
          this.holding = null;
          this.held++;
          held = [message];
          this.releases.push(() => {
            for (const m of held ?? []) upstream.write(m);
            held = null;
          });
          continue;
        }
        const armed = this.armed;
        if (armed !== null && armed.match(message)) {
          if (--armed.times === 0) this.armed = null;
          if (armed.cut === 'request') return cut();
          cutOnReply = true;
        }
        upstream.write(message);
      }
    });
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  }
}

/** Whether a wire message is the command `command` on `collection` (the BSON string element `command: collection`), holding every one of `also`. */
export function isCommandOn(command: string, collection: string, ...also: string[]): (message: Buffer) => boolean {
  const value = Buffer.from(`${collection}\x00`);
  const length = Buffer.alloc(4);
  length.writeInt32LE(value.length);
  const element = Buffer.concat([Buffer.from(`\x02${command}\x00`, 'latin1'), length, value]);
  const parts = also.map((p) => Buffer.from(p));
  return (m) => m.includes(element) && parts.every((p) => m.includes(p));
}

/** Whether a wire message is an `update` command on `collection` holding every one of `also`. */
export function isUpdateOf(collection: string, ...also: string[]): (message: Buffer) => boolean {
  return isCommandOn('update', collection, ...also);
}

/**
 * A proxy in front of `bed`'s server for one describe block (the block is skipped where none can be
 * made: a server that is not one plain host), closed after the bed's daemons and supervisors.
 */
export function useCuttingProxy(bed: TestBed): () => CuttingProxy {
  let proxy: CuttingProxy | null = null;
  before(async function () {
    proxy = await CuttingProxy.start(bed.uri);
    if (proxy === null) this.skip();
  });
  after(async () => {
    await bed.stopAll();
    await proxy?.close();
  });
  return () => proxy!;
}
