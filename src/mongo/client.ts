import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { MongoClient, MongoServerError, MongoTopologyClosedError, type CommandFailedEvent } from 'mongodb';
import { isHostOrAddress } from '../config/host-name.js';
import { scrubPassword } from '../config/redact.js';
import { isConnectivityError } from './errors.js';

/** Connection string options naming a file the driver reads at every connection. */
const FILE_OPTIONS = ['tlsCAFile', 'tlsCertificateKeyFile', 'tlsCRLFile'] as const;

/**
 * What is wrong with a connection string, found without connecting; none when it is usable. A
 * string the driver refuses (constructing a client parses it; its message can quote part of the
 * credentials, so the password is scrubbed) is one problem. Otherwise, one per file it names (TLS
 * CA, client certificate, revocation list) that cannot be read: the driver reads them only when it
 * connects and fails every attempt the same way, which would read as an outage to wait out.
 */
export function uriProblems(uri: string): string[] {
  let options: Partial<Record<(typeof FILE_OPTIONS)[number], unknown>> & { hosts?: Array<{ host?: string }>; srvHost?: string };
  try {
    options = newClient(uri).options;
  } catch (err) {
    return [`is not a valid connection string: ${scrubPassword((err as Error).message, uri)}`];
  }
  const out: string[] = [];
  // The driver takes any string for a host and fails at every connection (ENOTFOUND), which would
  // read as an outage to wait out. A socket path (`%2Ftmp%2Fmongodb.sock`) has no host to check.
  for (const h of [...(options.hosts ?? []).map((a) => a.host), options.srvHost]) {
    if (h !== undefined && !isHostOrAddress(h)) out.push(`host ${JSON.stringify(h)} is not a host name or an IP address`);
  }
  for (const option of FILE_OPTIONS) {
    const path = options[option];
    if (typeof path !== 'string') continue;
    // The driver opens it from the daemon's working directory (the unit's WorkingDirectory), not
    // from wherever check-config or `run` happens to be started: a relative path found from the
    // shell can be missing under systemd.
    if (!isAbsolute(path)) {
      out.push(`${option} ${path} is a relative path: give an absolute one (the daemon reads it from its own working directory, /var/lib/anomaly_detector under systemd)`);
      continue;
    }
    let why: string | null = null;
    try {
      if (statSync(path).isFile()) accessSync(path, constants.R_OK);
      else why = 'not a regular file';
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      why = e.code ?? e.message;
    }
    if (why !== null) out.push(`${option} ${path} cannot be read: ${why}`);
  }
  return out;
}

/** The daemon's own client options; the connection string's win where it sets one of them. */
const CLIENT_DEFAULTS = {
  appName: 'anomaly-detector',
  // Short timeouts turn an outage into quick, retryable failures instead of calls hanging 30 s.
  serverSelectionTimeoutMS: 5000,
  connectTimeoutMS: 5000,
  socketTimeoutMS: 120_000,
  maxPoolSize: 10,
} as const;

/** `monitorCommands`: the client emits an event for each command (ClientHandle hears its round trips). */
export function newClient(uri: string, monitorCommands = false): MongoClient {
  // Options given to the constructor override the connection string's, so an operator's
  // `maxPoolSize=50` would be silently dropped (and a malformed value never checked): pass only
  // those the string does not set. Option names are case-insensitive in a connection string.
  const query = uri.indexOf('?') < 0 ? '' : uri.slice(uri.indexOf('?') + 1).toLowerCase();
  const given = new Set(query.split('&').map((pair) => pair.split('=')[0]!));
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(CLIENT_DEFAULTS)) if (!given.has(k.toLowerCase())) options[k] = v;
  if (monitorCommands) options.monitorCommands = true;
  return new MongoClient(uri, options);
}

/**
 * A client whose calls have all failed for this long with connectivity errors is replaced by a new
 * one (ClientHandle.discardIf); a call that works (ClientHandle.worked) starts the count again.
 */
export const STALE_CLIENT_MS = 10_000;

/**
 * A client that survives MongoDB being down. The driver closes a client's topology for good when
 * its first connection fails ("Topology is closed" on every later call), so such a client is
 * thrown away and the next call builds a new one. Once connected, the driver usually reconnects
 * through later outages, but not always: after a server restart that closed its connections, a
 * helper saw a worker thread's client keep its server Unknown, its monitor stopped, every call
 * failing 'connection 1 ... closed' for as long as the daemon ran (in 1 of 2 restarts, a bare
 * driver client alike; 3 of 8 restarts in a second run). So a client that has failed every call
 * for STALE_CLIENT_MS is replaced: during a real outage that is a new connection attempt, which
 * fails fast, every STALE_CLIENT_MS.
 *
 * The handle hears each command of its client that reached MongoDB (the driver's command events),
 * and only those count as the client working. A worker thread's task that succeeded used to count
 * too: an idle host's task, which makes no call (its shared batch empty), came every poll between
 * a busy host's failures on the same thread, so its stuck client was never replaced and that host
 * scored nothing until a restart (a review saw 10 minutes).
 */
export class ClientHandle {
  private client: MongoClient | null = null;
  private connecting: Promise<MongoClient> | null = null;
  private closed = false;
  /** Since when (epoch ms) every call of the current client has failed to reach MongoDB; null: it works. */
  private failingSince: number | null = null;

  constructor(private readonly uri: string) {}

  async get(): Promise<MongoClient> {
    if (this.closed) throw new MongoTopologyClosedError();
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const c = newClient(this.uri, true);
      c.on('commandSucceeded', () => this.worked());
      // A server's refusal (a duplicate key, a bad query) came back through the connection too.
      c.on('commandFailed', (e: CommandFailedEvent) => {
        if (e.failure instanceof MongoServerError) this.worked();
      });
      try {
        await c.connect();
        this.client = c;
        return c;
      } catch (err) {
        await c.close().catch(() => undefined);
        throw err;
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  /**
   * Drops the client after an error that leaves it unusable (its topology closed), or after
   * connectivity errors only for STALE_CLIENT_MS, so the next get() starts afresh. Returns whether
   * it dropped a client that had connected (not one whose first connection failed).
   */
  discardIf(err: unknown, now = Date.now()): boolean {
    if (!this.client || this.closed) return false;
    if (!(err instanceof MongoTopologyClosedError)) {
      if (!isConnectivityError(err)) return false;
      this.failingSince ??= now;
      if (now - this.failingSince < STALE_CLIENT_MS) return false;
    }
    void this.client.close().catch(() => undefined);
    this.client = null;
    this.failingSince = null;
    return true;
  }

  /** A call reached MongoDB: the client is sound. */
  worked(): void {
    this.failingSince = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client ?? (await this.connecting?.catch(() => null));
    this.client = null;
    await c?.close().catch(() => undefined);
  }
}

/** One handle per thread and URI: the worker threads share a connection pool across tasks. */
const handles = new Map<string, ClientHandle>();

export function sharedClient(uri: string): Promise<MongoClient> {
  let h = handles.get(uri);
  if (!h) {
    h = new ClientHandle(uri);
    handles.set(uri, h);
  }
  return h.get();
}

export function discardSharedIf(uri: string, err: unknown): boolean {
  return handles.get(uri)?.discardIf(err) ?? false;
}
