// The polls of a source's hosts, gathered into one read of the input collection. Each host used to
// read its own batch every poll: with the recommended (hostname, _id) index each such query is
// cheap, but a server without it (FerretDB) scans the whole collection for every one. With 10 hosts
// at 1,000 lines per second the server spent both cores scanning, polls took seconds, lines piled
// up and every scan grew (bench part 5: p99 latency 12-16 s). One read per round of polls costs
// one scan, whatever the number of hosts; on MongoDB it is one query instead of one per host.
//
// Only hosts that have caught up join: one with a backlog reads alone, in full batches (its lines
// sort first and would fill every shared read while the others wait), until a batch catches up.
import { ObjectId, type MongoClient } from 'mongodb';
import { readHostsAfter, type HostWant, type SharedBatch } from '../mongo/line-reader.js';
import type { LineSourceRef } from '../worker/protocol.js';
import type { DaemonStats } from './stats.js';

/**
 * How long a read waits for the source's other hosts to ask, at most: the hosts served by one read
 * score their batches at about the same time and ask again one poll interval later, within
 * milliseconds of each other, so a round of polls becomes one read again.
 */
export const GATHER_MS = 100;

interface Asking extends HostWant {
  resolve(batch: SharedBatch | null): void;
  reject(err: unknown): void;
}

/** The hosts of one input collection (and field names, batch size, settle time) read together. */
interface Gathering {
  src: Omit<LineSourceRef, 'host'>;
  limit: number;
  settleSeconds: number;
  asking: Asking[];
  reading: boolean;
  timer: NodeJS.Timeout | null;
  /** Hosts of the last read that caught up: once all of them ask again, the next read starts at once. */
  regulars: Set<string>;
  /** When a host last asked (epoch ms): a gathering nobody asks of (its key changed by a reload) is dropped. */
  askedAt: number;
}

/** A gathering nobody asked of for this long is dropped (STALE_MS: a reload changed its key, or its source went). */
const STALE_MS = 60_000;

export interface SharedReadsClient {
  get(): Promise<MongoClient>;
  /** A read reached MongoDB, or failed (the main thread's client is replaced after failures only). */
  worked(): void;
  failed(err: unknown): void;
  /** The server filters every document itself (server-kind.ts): reads group their hosts. */
  grouped(): boolean;
}

export class SharedReads {
  private readonly gatherings = new Map<string, Gathering>();
  constructor(
    private readonly client: SharedReadsClient,
    private readonly stats: Pick<DaemonStats, 'sharedReads' | 'sharedReadBatches'>,
  ) {}

  /**
   * The host's next batch, read together with those of the source's other hosts that ask meanwhile;
   * null when the host must read alone: its checkpoint is no ObjectId (none yet, or another type),
   * or a line of the read could not be told to its host (readHostsAfter). Fails as the read fails.
   * With `behindFrom`, also the host's lines from there up to its checkpoint (SharedBatch.behind).
   */
  read(ref: LineSourceRef, checkpoint: unknown, limit: number, settleSeconds: number, behindFrom: ObjectId | null = null): Promise<SharedBatch | null> {
    if (!(checkpoint instanceof ObjectId)) return Promise.resolve(null);
    const { host, ...src } = ref;
    const key = JSON.stringify([src, limit, settleSeconds]);
    const now = Date.now();
    let g = this.gatherings.get(key);
    if (g === undefined) {
      for (const [k, old] of this.gatherings) if (now - old.askedAt > STALE_MS && !old.reading && old.asking.length === 0) this.gatherings.delete(k);
      g = { src, limit, settleSeconds, asking: [], reading: false, timer: null, regulars: new Set(), askedAt: now };
      this.gatherings.set(key, g);
    }
    g.askedAt = now;
    const gathering = g;
    return new Promise((resolve, reject) => {
      gathering.asking.push({ host, after: checkpoint, behindFrom, resolve, reject });
      this.schedule(gathering);
    });
  }

  private schedule(g: Gathering): void {
    if (g.reading || g.asking.length === 0) return;
    const asked = new Set(g.asking.map((a) => a.host));
    if (g.regulars.size > 0 && [...g.regulars].every((h) => asked.has(h))) {
      void this.readNow(g);
      return;
    }
    g.timer ??= setTimeout(() => void this.readNow(g), GATHER_MS);
  }

  private async readNow(g: Gathering): Promise<void> {
    if (g.timer !== null) clearTimeout(g.timer);
    g.timer = null;
    // One part per host: a second ask of a host (its pipeline replaced meanwhile) waits for the next read.
    const taken = new Map<string, Asking>();
    g.asking = g.asking.filter((a) => (taken.has(a.host) ? true : (taken.set(a.host, a), false)));
    const wants = [...taken.values()];
    g.reading = true;
    try {
      const parts = await readHostsAfter(await this.client.get(), g.src, wants, g.limit, g.settleSeconds, this.client.grouped());
      this.client.worked();
      this.stats.sharedReads++;
      g.regulars = new Set();
      for (const w of wants) {
        const part = parts?.get(w.host) ?? null;
        if (part !== null) this.stats.sharedReadBatches++;
        if (part !== null && !part.more) g.regulars.add(w.host);
        w.resolve(part);
      }
    } catch (err) {
      this.client.failed(err);
      g.regulars = new Set();
      for (const w of wants) w.reject(err);
    } finally {
      g.reading = false;
      // Those that asked during the read have waited for it: the next read starts at once.
      if (g.asking.length > 0) void this.readNow(g);
    }
  }
}
