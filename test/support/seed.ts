import type { Db, Document, ObjectId } from 'mongodb';
import { incidentLine, routineLine, type Rng } from './log-lines.js';

const DAY = 86_400_000;

/** How a test's input documents hold a line: the default field names, or `shape` of its own. */
export type DocShape = (host: string, message: string, at: Date) => Document;
const defaultShape: DocShape = (host, message, at) => ({ Hostname: host, Message: message, timestamp: at });

/** Inserts `perHost` routine lines per host, timestamps spread over the last `days` days, oldest first. */
export async function seedHistory(db: Db, collection: string, hosts: string[], perHost: number, rng: Rng, days = 30, shape = defaultShape): Promise<void> {
  const now = Date.now();
  const lines: Array<{ host: string; message: string; at: Date }> = [];
  for (const host of hosts) {
    for (let i = 0; i < perHost; i++) {
      lines.push({ host, message: routineLine(rng), at: new Date(now - days * DAY + ((i + 0.5) / perHost) * days * DAY) });
    }
  }
  lines.sort((a, b) => a.at.getTime() - b.at.getTime());
  const docs = lines.map((l) => shape(l.host, l.message, l.at));
  for (let i = 0; i < docs.length; i += 1000) await db.collection(collection).insertMany(docs.slice(i, i + 1000));
}

export interface Inserted {
  id: ObjectId;
  host: string;
  message: string;
  incident: string | null;
}

/** New lines for a host: routine ones with an incident every `incidentEvery` lines (marker = unique word). */
export function newLines(host: string, n: number, incidentEvery: number, rng: Rng, tag: string): Array<{ host: string; message: string; incident: string | null }> {
  const out = [];
  for (let i = 0; i < n; i++) {
    if (incidentEvery > 0 && i % incidentEvery === incidentEvery - 1) {
      const marker = `incident${tag}x${i}x${host.replace(/[^A-Za-z0-9]/g, '')}`;
      out.push({ host, message: incidentLine(rng, marker), incident: marker });
    } else {
      out.push({ host, message: routineLine(rng), incident: null });
    }
  }
  return out;
}

export async function insertLines(
  db: Db,
  collection: string,
  lines: Array<{ host: string; message: string; incident: string | null }>,
  shape = defaultShape,
): Promise<Inserted[]> {
  if (lines.length === 0) return [];
  const docs = lines.map((l) => shape(l.host, l.message, new Date()));
  const res = await db.collection(collection).insertMany(docs);
  return lines.map((l, i) => ({ ...l, id: res.insertedIds[i] as ObjectId }));
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until `count()` reaches `want`, for as long as it keeps growing: it fails only after
 * `stallMs` without progress, saying how far it got, so that a slow machine is told from a lost
 * line (a wait with one deadline cannot tell them apart).
 */
export async function waitForProgress(what: string, count: () => Promise<number>, want: number, stallMs = 30_000): Promise<number> {
  let best = -1;
  let since = Date.now();
  for (;;) {
    const n = await count();
    if (n >= want) return n;
    if (n > best) {
      best = n;
      since = Date.now();
    } else if (Date.now() - since > stallMs) {
      throw new Error(`${what}: stuck at ${n} of ${want} for ${stallMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
