// One daemon per state collection. Two daemons on the same configuration (the service, and the
// same command started by hand) both scored every line, overwrote each other's model files and
// reset each other's memory of new messages. The running daemon holds a lease, a document in the
// state collection whose `seq` it increments every LEASE_RENEW_MS; another one waits as a standby
// until the lease ends: released at a clean stop, its process gone from this machine (killed), or
// its `seq` unchanged for LEASE_TTL_MS as the standby's own clock measures it. Only that interval
// is measured, on one clock, so machines whose clocks disagree do not take a live lease. And only
// while the standby watches: time in which it could not read the lease (MongoDB down for both)
// does not count, or after an outage of LEASE_TTL_MS the standby took the lease from a holder that
// had simply not been able to renew it, while the holder resumed its hosts: both scored.
import type { MongoClient } from 'mongodb';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { processAlive } from '../process-alive.js';

const LEASE_ID = 'daemon-lease';
/** A lease whose `seq` has not moved for this long is free. */
export const LEASE_TTL_MS = 30_000;
export const LEASE_RENEW_MS = 10_000;
/**
 * Sightings of the lease further apart than this (a standby looks every LEASE_RENEW_MS / 2) are not
 * one interval of watching it: the count of how long it has not changed starts again.
 */
const SIGHTING_GAP_MS = LEASE_RENEW_MS;

export interface LeaseHeld {
  /** Unique per daemon run. */
  owner: string;
  machine: string;
  pid: number;
  seq: number;
  renewedAt: Date | null;
}

/** The lease document; the state collection's other documents are checkpoints. */
interface LeaseDoc {
  _id: string;
  kind: 'lease';
  owner: string;
  machine: string;
  pid: number;
  seq: number;
  renewed_at: Date;
}

type State = { db: string; collection: string };

export class Lease {
  readonly owner: string;
  private readonly machine = hostname();
  /** The holder's lease as this standby last saw it change (`since`) and last saw it (`at`), by its own clock. */
  private seen: { owner: string; seq: number; since: number; at: number } | null = null;

  constructor(private readonly clock: () => number = Date.now) {
    this.owner = `${this.machine}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** Takes or renews the lease; null when this daemon holds it, else who does. */
  async acquire(client: MongoClient, state: State): Promise<LeaseHeld | null> {
    const started = this.clock();
    const coll = client.db(state.db).collection<LeaseDoc>(state.collection);
    const renewed = await coll.updateOne({ _id: LEASE_ID, owner: this.owner }, { $inc: { seq: 1 }, $set: { renewed_at: new Date() } });
    if (renewed.matchedCount === 1) return this.held();
    const doc = await coll.findOne({ _id: LEASE_ID });
    if (doc === null) {
      try {
        await coll.insertOne({ _id: LEASE_ID, kind: 'lease', owner: this.owner, machine: this.machine, pid: process.pid, seq: 0, renewed_at: new Date() });
        return this.held();
      } catch (err) {
        // Another daemon inserted it first.
        if ((err as { code?: unknown }).code !== 11000) throw err;
        const now = await coll.findOne({ _id: LEASE_ID });
        return now === null ? { owner: '(changing hands)', machine: '', pid: 0, seq: 0, renewedAt: null } : holderOf(now);
      }
    }
    const holder = holderOf(doc);
    const gone = holder.machine === this.machine && !processAlive(holder.pid);
    if (gone || this.unchangedFor(holder, started) >= LEASE_TTL_MS) {
      // Only if it is still the lease this daemon judged: another standby may have been quicker.
      const taken = await coll.updateOne(
        { _id: LEASE_ID, owner: holder.owner, seq: holder.seq },
        { $set: { owner: this.owner, machine: this.machine, pid: process.pid, seq: 0, renewed_at: new Date() } },
      );
      if (taken.modifiedCount === 1) return this.held();
    }
    return holder;
  }

  /** Gives the lease up (a clean stop), so that a standby takes over at once. */
  async release(client: MongoClient, state: State): Promise<void> {
    await client.db(state.db).collection<LeaseDoc>(state.collection).deleteOne({ _id: LEASE_ID, owner: this.owner });
  }

  private held(): null {
    this.seen = null;
    return null;
  }

  /** `started`: when this sighting's reads began (slow reads are not a gap in the watching). */
  private unchangedFor(h: LeaseHeld, started: number): number {
    const t = this.clock();
    const s = this.seen;
    if (s === null || s.owner !== h.owner || s.seq !== h.seq || started - s.at > SIGHTING_GAP_MS) {
      this.seen = { owner: h.owner, seq: h.seq, since: t, at: t };
      return 0;
    }
    s.at = t;
    return t - s.since;
  }
}

function holderOf(doc: Partial<LeaseDoc>): LeaseHeld {
  return { owner: String(doc.owner), machine: String(doc.machine ?? ''), pid: Number(doc.pid ?? 0), seq: Number(doc.seq ?? 0), renewedAt: doc.renewed_at ?? null };
}
