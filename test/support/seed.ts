import type { Db, Document, ObjectId } from 'mongodb';
import { incidentLine, routineLine, type Rng } from './log-lines.js';

const DAY = 86_400_000;

/** Inserts `perHost` routine lines per host, timestamps spread over the last `days` days, oldest first. */
export async function seedHistory(db: Db, collection: string, hosts: string[], perHost: number, rng: Rng, days = 30): Promise<void> {
  const now = Date.now();
  const docs: Document[] = [];
  for (const host of hosts) {
    for (let i = 0; i < perHost; i++) {
      docs.push({ Hostname: host, Message: routineLine(rng), timestamp: new Date(now - days * DAY + ((i + 0.5) / perHost) * days * DAY) });
    }
  }
  docs.sort((a, b) => (a.timestamp as Date).getTime() - (b.timestamp as Date).getTime());
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

export async function insertLines(db: Db, collection: string, lines: Array<{ host: string; message: string; incident: string | null }>): Promise<Inserted[]> {
  if (lines.length === 0) return [];
  const docs = lines.map((l) => ({ Hostname: l.host, Message: l.message, timestamp: new Date() }));
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
