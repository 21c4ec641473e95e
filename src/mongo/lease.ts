// One daemon per state collection. Two daemons on the same configuration (the service, and the
// same command started by hand) both scored every line, overwrote each other's model files and
// reset each other's memory of new messages. The running daemon holds a lease, a document in the
// state collection that it renews; another one waits as a standby until the lease ends: released
// at a clean stop, or not renewed for LEASE_TTL_MS (or its process on this machine is gone).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { processAlive } from '../process-alive.js';

const LEASE_ID = 'daemon-lease';
/** A lease not renewed for this long is free (renewed every LEASE_RENEW_MS). */
export const LEASE_TTL_MS = 30_000;
export const LEASE_RENEW_MS = 10_000;

export interface LeaseOwner {
  /** Unique per daemon run. */
  owner: string;
  machine: string;
  pid: number;
}

export interface LeaseHeld extends LeaseOwner {
  renewedAt: Date;
}

export function newLeaseOwner(): LeaseOwner {
  const machine = hostname();
  return { owner: `${machine}:${process.pid}:${randomBytes(4).toString('hex')}`, machine, pid: process.pid };
}

type State = { db: string; collection: string };
/** The lease document; the state collection's other documents are checkpoints (ObjectId _ids). */
interface LeaseDoc {
  _id: string;
  kind?: 'lease';
  owner?: string;
  machine?: string;
  pid?: number;
  renewed_at?: Date;
}

/**
 * Takes or renews the lease; returns null when this daemon holds it, or who holds it. A lease of
 * a process that no longer runs on this machine (killed) is taken at once.
 */
export async function acquireLease(client: MongoClient, state: State, me: LeaseOwner, now = new Date()): Promise<LeaseHeld | null> {
  const coll = client.db(state.db).collection<LeaseDoc>(state.collection);
  const doc = { kind: 'lease' as const, owner: me.owner, machine: me.machine, pid: me.pid, renewed_at: now };
  const cutoff = new Date(now.getTime() - LEASE_TTL_MS);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await coll.updateOne({ _id: LEASE_ID, $or: [{ owner: me.owner }, { renewed_at: { $lt: cutoff } }] }, { $set: doc }, { upsert: true });
      return null;
    } catch (err) {
      // The upsert found the lease held by someone else (its _id exists).
      if ((err as { code?: unknown }).code !== 11000) throw err;
    }
    const held = await coll.findOne({ _id: LEASE_ID });
    if (held === null) continue; // released meanwhile
    const holder: LeaseHeld = { owner: String(held.owner), machine: String(held.machine), pid: Number(held.pid), renewedAt: held.renewed_at ?? new Date(0) };
    if (holder.machine === me.machine && !processAlive(holder.pid)) {
      const r = await coll.updateOne({ _id: LEASE_ID, owner: holder.owner }, { $set: doc });
      if (r.modifiedCount === 1) return null;
      continue;
    }
    return holder;
  }
  return null;
}

/** Gives the lease up (a clean stop), so that a standby takes over at once. */
export async function releaseLease(client: MongoClient, state: State, me: LeaseOwner): Promise<void> {
  await client.db(state.db).collection<LeaseDoc>(state.collection).deleteOne({ _id: LEASE_ID, owner: me.owner });
}
