// The serialized form of a host model: versioned JSON holding only what cannot
// be recomputed cheaply (the miner, per-template counts and slot statistics,
// words seen only inside slots, cluster centroids). Word
// vectors, indexes, lookup tables and the calibration are rebuilt on load by
// the same code that builds them after training, so a reloaded model scores
// identically.

import type { MaskRuleConfig } from './types.js';
import type { SlotModel } from './slots.js';
import type { KeyedModel } from './keyed-slots.js';
import type { ClusterModel } from './clusters.js';

/**
 * Bump on any change that an older or newer reader would misinterpret, and on any change to how
 * lines are tokenized (a saved model's templates would no longer match the lines): models of
 * another version are retrained on load. 6: structured, klog, device-code and access log lines.
 * 7: logfmt lines with a level and no message, Linux audit records. 8: spaces beyond ASCII separate
 * words, in plain and structured lines (spaces.ts). 9: value shapes read month, weekday and zone
 * names as one kind of word (calendar.ts). 10: logcat's level letters spelled out (logcat.ts), and
 * level words no longer wording that lets two messages merge (miner.ts). 11: a name with digits
 * beside an IP address is two values (mask.ts); request methods, status phrases and device codes
 * stay enumerations (miner.ts). 12: fractions counted on a scale of their own (slots.ts), a level after a
 * module (`[core:error]`) kept as wording (mask.ts), MongoDB's `attr` fields as pairs of their
 * own (structured.ts). 13: HAProxy's HTTP log status read with its reason phrase (access-log.ts), a
 * comma-separated record's fields as chunks of their own (csv-record.ts). 14: failure terms of
 * quoted texts counted per slot by their occasions (slots.ts; a model of 13 has none of them, and
 * every such term would be new). 15: RFC 5424 structured data is no bracketed header field
 * (header.ts): a model of 14 that took it for one would read its lines uncollapsed, every line new. 16: a public IPv4 address is a value shape of its own
 * (value-shape.ts addressKind): a model of 15 counted public addresses under the private shape, and
 * every public address would be a new kind in its slots. 17: a run of spaces in a value is one in its
 * shape (value-shape.ts): a model of 16 would read a padded day (`Nov  9`) as a new kind of value;
 * Envoy's access log lines with response flags get their status's phrase (access-log.ts). 18: a
 * drifting slot's largest step (slots.ts: a model of 17 may say `drifts: true`), Istio's default
 * access log format read (access-log.ts). 19: a template of stack-trace frames marked (`frame`), a
 * kernel frame's symbol kept (mask.ts), Squid's access log read (access-log.ts): a model of 18 has
 * other templates for these lines. 20: a number after `#` keeps it (`#<*>`, mask.ts: a PHP or GDB
 * frame's number): a model of 19 has other templates for lines with one. 21: a duration's or a size's
 * number is read in one unit (units.ts): a model of 20 counted `1.02s` and `131ms` as 1.02 and 131
 * (and one of the commits that wrote 20 did already: 20 meant both); a slot keeps the units it
 * wrote (`units`) and a slot of addresses its densest source (`flood`, sources.ts). 22: a compound
 * duration with colons (`2h:36m:00s`) is one number (value-shape.ts), where a model of 21 has three
 * fields; slots of IPv6 addresses have their densest source too; a user at a host or database
 * without a domain (`app@shop`) is masked (mask.ts): a model of 21 has a template per role. 23: a
 * JSON record's own fields before its message (pino's, bunyan's) are named pairs after it
 * (structured.ts): a model of 22 has other templates for such lines, every one would be new; a unit
 * is read only on a number of its own (value-shape.ts: a model of 22 read `web-7d9f...` as 7 days).
 */
export const MODEL_FORMAT_VERSION = 23;
export const MODEL_FORMAT = 'log-anomaly-host-model';

/** Thrown for a snapshot of another format version, or one that is malformed. */
export class IncompatibleModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompatibleModelError';
  }
}

export interface ResolvedOptions {
  extraMasks: MaskRuleConfig[];
  maxTemplates: number;
  seed: number;
}

export interface TemplateRecord {
  id: number;
  tokens: string[];
  count: number;
  /** Burst-dampened count: how many spread-out occurrences the count is worth. */
  effective: number;
  /** Separate occasions: occurrences more than a gap apart (a burst is one). */
  episodes: number;
  /** Sum over occasions of the fourth root of their line counts (occasions.ts occasionWeight); since format 2. */
  routine: number;
  /** Sequence context (sequence.ts keptContext): ids of the templates its lines follow; absent when none (and in models saved before it). */
  context?: number[];
  /**
   * Its largest recent count of lines in training (occasions.ts recentCount: its densest burst); absent
   * in models saved before it, whose lines are then not judged by it (detector.ts burstEvidence), and
   * in those saved before 2026-11-25 for messages without failure words (kept for every one since: a
   * rare one is judged by it too, evidence.ts STORM_RARITY).
   */
  burst?: number;
  /**
   * Its largest count of lines over the longer horizon in training (occasions.ts recentCount at RATE_DECAY); absent
   * where `burst` is, and in models saved before it, whose lines are then not judged by it.
   */
  rate?: number;
  /** Most of its lines were stack-trace frames (trainer.ts: `at <*>` merged from many); absent when not. */
  frame?: boolean;
  /** [token position, value index (-1 = whole token), statistics]. */
  slots: Array<[number, number, SlotModel]>;
  /** Its quantities per key (keyed-slots.ts); absent when none (and in models saved before them). */
  keyed?: KeyedModel;
}

export interface ModelData {
  format: typeof MODEL_FORMAT;
  version: number;
  options: ResolvedOptions;
  trainedLines: number;
  miner: unknown;
  /** Most frequent first. */
  templates: TemplateRecord[];
  /** Words seen only as slot values (usernames, states...), so they do not count as unseen. */
  slotWords: string[];
  clusters: ClusterModel;
}

export function serializeModel(data: ModelData): string {
  return JSON.stringify(data);
}

const fail = (why: string): never => {
  throw new IncompatibleModelError(`not a usable model snapshot: ${why}`);
};

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isNumArr = (x: unknown): x is number[] => Array.isArray(x) && x.every(isNum);
const isStrArr = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

function checkSlot(s: unknown): void {
  if (!Array.isArray(s) || s.length !== 3 || !Number.isInteger(s[0]) || !Number.isInteger(s[1])) fail('slot');
  checkSlotModel((s as unknown[])[2]);
}

/** A template's quantities per key: key and target slots among its `slots` slots, a model per combination. */
function checkKeyed(k: unknown, slots: number): void {
  const r = k as Record<string, unknown> | null;
  const isSlot = (i: unknown): boolean => Number.isInteger(i) && (i as number) >= 0 && (i as number) < slots;
  if (r === null || typeof r !== 'object' || !Array.isArray(r.keys) || !r.keys.every(isSlot) || !Array.isArray(r.slots)) fail('template keys');
  for (const t of r!.slots as unknown[]) {
    if (!Array.isArray(t) || t.length !== 2 || !isSlot(t[0]) || !Array.isArray(t[1])) fail('keyed slot');
    for (const m of (t as unknown[])[1] as unknown[]) {
      if (!Array.isArray(m) || m.length !== 2 || !isNum(m[0])) fail('keyed slot model');
      checkSlotModel((m as unknown[])[1]);
    }
  }
}

function checkSlotModel(model: unknown): void {
  const m = model as Record<string, unknown> | null;
  if (m === null || typeof m !== 'object' || !isNum(m.n)) fail('slot statistics');
  const cats = m!.cats;
  if (cats !== null && !(Array.isArray(cats) && cats.every((c) => Array.isArray(c) && typeof c[0] === 'string' && isNum(c[1])))) {
    fail('slot categories');
  }
  if (m!.drifts !== undefined && !(isNum(m!.drifts) && (m!.drifts as number) >= 0)) fail('slot drift');
  if (m!.flood !== undefined && !(isNum(m!.flood) && (m!.flood as number) >= 0)) fail('slot sources');
  if (m!.units !== undefined && !(Number.isInteger(m!.units) && (m!.units as number) > 0)) fail('slot units');
  const terms = m!.terms;
  if (terms !== undefined && !(Array.isArray(terms) && terms.every((t) => Array.isArray(t) && typeof t[0] === 'string' && isNum(t[1])))) {
    fail('slot failure terms');
  }
  const shapes = m!.shapes;
  if (shapes === null) return;
  if (!Array.isArray(shapes)) fail('slot shapes');
  for (const sh of shapes as unknown[]) {
    if (!Array.isArray(sh) || sh.length !== 3 || !isNum(sh[0]) || !isNum(sh[1]) || !Array.isArray(sh[2])) fail('slot shape');
    for (const f of (sh as unknown[])[2] as unknown[]) {
      const bins = (f as Record<string, unknown> | null)?.bins;
      if (!Array.isArray(bins) || !bins.every((b) => isNumArr(b) && b.length === 2)) fail('slot histogram');
    }
  }
}

/** Parses and checks a snapshot; throws IncompatibleModelError for anything else. */
export function parseModel(text: string): ModelData {
  if (typeof text !== 'string') fail('not a string');
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail('not JSON');
  }
  if (d === null || typeof d !== 'object') fail('not an object');
  if (d.format !== MODEL_FORMAT) fail(`unknown format ${JSON.stringify(d.format)}`);
  if (d.version !== MODEL_FORMAT_VERSION) {
    throw new IncompatibleModelError(
      `model format version ${String(d.version)} cannot be read by this version (expects ${MODEL_FORMAT_VERSION}); retrain the model`,
    );
  }
  const o = d.options as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || !Array.isArray(o.extraMasks) || !Number.isInteger(o.maxTemplates) || !Number.isInteger(o.seed)) {
    fail('options');
  }
  if (!Number.isInteger(d.trainedLines) || (d.trainedLines as number) < 0) fail('trainedLines');
  if (!Array.isArray(d.templates)) fail('templates');
  for (const t of d.templates as unknown[]) {
    const r = t as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object' || !Number.isInteger(r.id) || !isStrArr(r.tokens) || !isNum(r.count) || !isNum(r.effective) || !isNum(r.episodes) || !isNum(r.routine)) {
      fail('template record');
    }
    if (r!.context !== undefined && !(isNumArr(r!.context) && r!.context.every(Number.isInteger))) fail('template context');
    if (r!.burst !== undefined && !(isNum(r!.burst) && (r!.burst as number) >= 0)) fail('template burst');
    if (r!.rate !== undefined && !(isNum(r!.rate) && (r!.rate as number) >= 0)) fail('template rate');
    if (r!.frame !== undefined && typeof r!.frame !== 'boolean') fail('template frame');
    if (!Array.isArray(r!.slots)) fail('template slots');
    (r!.slots as unknown[]).forEach(checkSlot);
    if (r!.keyed !== undefined) checkKeyed(r!.keyed, (r!.slots as unknown[]).length);
  }
  if (!isStrArr(d.slotWords)) fail('slotWords');
  const c = d.clusters as Record<string, unknown> | null;
  if (c === null || typeof c !== 'object' || !Array.isArray(c.centroids) || !c.centroids.every(isNumArr) || !isNumArr(c.radius)) {
    fail('clusters');
  }
  return d as unknown as ModelData;
}
