// Field names of the input documents as configured (MESSAGE_FIELD, HOSTNAME_FIELD,
// TIMESTAMP_FIELD): plain (`Message`) or dotted paths into embedded documents (`log.message`).
// Anomaly documents keep the same shape, so a query written for the input collection
// (`{"host.name": "web-1"}`) works on the target collection too.
import type { Document } from 'mongodb';

/** Reads a possibly dotted field path. */
export function fieldValue(doc: Document, path: string): unknown {
  if (!path.includes('.')) return doc[path];
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * Sets a possibly dotted field path, creating the embedded documents on the way: MongoDB refuses
 * (or, from 5.0, stores but cannot query) a top-level key that contains a dot.
 */
export function setFieldValue(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let at: Document = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next: unknown = at[parts[i]!];
    if (typeof next !== 'object' || next === null) at[parts[i]!] = {};
    at = at[parts[i]!] as Document;
  }
  at[parts[parts.length - 1]!] = value;
}
