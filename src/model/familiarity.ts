// New messages the host keeps writing after training. A model is retrained on
// a schedule (weekly by default); a message a deployment introduced on Monday
// would otherwise be "new" on every line until Sunday. Each new message (its
// constant words) is remembered here with its separate occasions, counted as
// training counts them (occasions.ts: a burst is about one occasion, a
// repeated line counts once), and a recurring one is judged as a known
// template with the count those occasions would mean over the training
// period, step by step: still unusual when it first comes back, routine once
// it keeps coming back.
//
// Only the benign part of the evidence (novelty, rarity) falls: failure words
// keep their weight, so a recurring error stays an error. Forgetting (a
// restart, a retraining, eviction) counts a message's occasions from zero
// again: its next lines score as new, never lower.

import { RATE_DECAY, recentCount, noteOccasion, occasionGap, occasionsWeight, type Occasions } from './occasions.js';
import { SourceTable, sourceCount } from './sources.js';

/** Occasions after which a recurring new message has come half the way to a known template (detector.ts). */
export const FAMILIAR_HALF = 2;

/** New messages remembered per model; the least recently seen are forgotten beyond it. */
export const FAMILIAR_MAX = 1024;

/** A message's density as observeRun leaves it. */
export interface RunCounts {
  /** Its recent count (occasions.ts recentCount), this line included. */
  recent: number;
  /** Its count over the longer horizon (occasions.ts recentCount at RATE_DECAY), this line included. */
  rate: number;
  /** Lines since its previous line (Infinity at its first). */
  gap: number;
}

/** What scoring needs: a running count of scored lines and the occasions of each new message. */
export interface FamiliarityLog {
  /** Lines scored so far. */
  readonly lines: number;
  /**
   * Occasion weight of the earlier lines of this new message (0 the first
   * time), then records this line (`line`: its identity, miner.ts repeatKey, tells a repetition
   * from another line).
   */
  observe(key: number, line: number, trainedLines: number, plain?: boolean): number;
  /**
   * Records a line of a message whose density is measured (occasions.ts recentCount, at
   * RECENT_DECAY and at RATE_DECAY, kept in the entry's `routine` and `run` with `last`); leaves in
   * `out` its counts, this line included, and the lines since its previous one.
   */
  observeRun(key: number, out: RunCounts): void;
  /**
   * One more line of an address in a slot of addresses (sources.ts; `key` the template, the slot and
   * the address); returns its count, this line included. Kept apart from the messages' entries (an
   * access log's clients would push them out) and not saved: after a restart counts start afresh,
   * lower, never higher.
   */
  observeSource(key: number): number;
  /** Counts one scored line. */
  tick(): void;
  /**
   * Other new messages without failure words (recorded with `plain`) among
   * the last PHASE_WINDOW scored lines: how many different ones the host is
   * writing right now.
   */
  recentPlain(key: number): number;
  /**
   * Template ids of the last scored lines (-1 for a new message), oldest first, for sequence
   * context (sequence.ts). Not saved: after a restart no line is in a known sequence, so lines
   * score as high as without it, never lower.
   */
  readonly recentTemplates: number[];
  /**
   * `lines` when the last stack-trace frame was scored (-Infinity before any), so that the frames
   * after it count as the same trace (detector.ts). Not saved, as recentTemplates.
   */
  lastFrame: number;
}

/**
 * A host that has just written several different new messages without
 * failure words is in a new phase (a restart, a deployment, a job starting):
 * its next new message is less surprising than the training rate of new
 * messages says (detector.ts). The lines looked back over, and the weight (in
 * lines) of the training rate against the rate seen over them.
 */
export const PHASE_WINDOW = 10;
export const PHASE_PRIOR = 10;

/** [line index, key] of the latest plain new-message lines, oldest first (at most PHASE_WINDOW). */
type Recent = Array<[number, number]>;

function noteRecent(recent: Recent, at: number, key: number): void {
  recent.push([at, key]);
  if (recent.length > PHASE_WINDOW) recent.shift();
}

function countRecent(recent: Readonly<Recent>, now: number, key: number): number {
  let n = 0;
  for (let i = recent.length - 1; i >= 0; i--) {
    const [at, k] = recent[i]!;
    if (now - at > PHASE_WINDOW) break;
    if (k === key) continue;
    let dup = false;
    for (let j = i + 1; j < recent.length && !dup; j++) dup = recent[j]![1] === k;
    if (!dup) n++;
  }
  return n;
}

/** Records a line of a message at line index `at` in its occasions; returns their weight before it. */
function record(o: Occasions, at: number, line: number, trainedLines: number): number {
  const before = occasionsWeight(o);
  noteOccasion(o, at, line, occasionGap(trainedLines + at));
  return before;
}

/**
 * A log as plain data, for keeping it beside the checkpoint it belongs to (so a restart goes on
 * where the last committed batch left off). Entries are in order of last sighting, oldest first.
 */
export interface FamiliarityState {
  lines: number;
  entries: FamiliarityEntry[];
}

export interface FamiliarityEntry {
  key: number;
  last: number;
  routine: number;
  run: number;
  seen: number[];
}

/**
 * What one batch changed in a saved state: its line count, the entries it recorded (`set`) and
 * the ones it pushed out beyond FAMILIAR_MAX (`drop`). A saved state with these applied, its
 * entries ordered by `last`, is the state after the batch: a host that keeps writing new
 * messages saves what each batch touched, not its whole memory every time.
 */
export interface FamiliarityChange {
  lines: number;
  set: FamiliarityEntry[];
  drop: number[];
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/** The state in `x`, or null when it is not one (written by another version, or edited by hand). */
export function parseFamiliarityState(x: unknown): FamiliarityState | null {
  if (typeof x !== 'object' || x === null) return null;
  const { lines, entries } = x as Record<string, unknown>;
  if (!isCount(lines) || !Array.isArray(entries) || entries.length > FAMILIAR_MAX) return null;
  for (const e of entries as unknown[]) {
    if (typeof e !== 'object' || e === null) return null;
    const { key, last, routine, run, seen } = e as Record<string, unknown>;
    if (!isCount(key) || !isCount(last) || !isCount(routine) || !isCount(run)) return null;
    // An entry is recorded before its line is counted: one at or past the count was edited, and
    // would break the order by last sighting that eviction follows.
    if (last >= lines) return null;
    if (!Array.isArray(seen) || !seen.every(isCount)) return null;
  }
  return x as FamiliarityState;
}

function stateEntry(key: number, o: Occasions): FamiliarityEntry {
  return { key, last: o.last, routine: o.routine, run: o.run, seen: o.runLines ?? [] };
}

function stateEntries(entries: Iterable<[number, Occasions]>): FamiliarityEntry[] {
  const out: FamiliarityEntry[] = [];
  for (const [key, o] of entries) out.push(stateEntry(key, o));
  return out;
}

/**
 * A draft's entries in order of last sighting, the order the log keeps (oldest first), which is
 * also the order a saved state's `last` fields give back.
 */
function byLast(touched: Map<number, Occasions>): Array<[number, Occasions]> {
  return [...touched].sort((a, b) => a[1].last - b[1].last);
}

/** One more line at line `at` of a message whose density is measured (observeRun). */
function recordRun(o: Occasions, at: number, out: RunCounts): void {
  // A fresh entry has no count: its first line's recent count is at least 1.
  out.gap = o.routine === 0 ? Infinity : at - o.last;
  o.routine = out.recent = recentCount(o.routine, o.last, at);
  o.run = out.rate = recentCount(o.run, o.last, at, RATE_DECAY);
  o.last = at;
}

function fresh(): Occasions {
  return { last: 0, routine: 0, run: 0, runLines: null };
}

/**
 * Addresses counted per log (observeSource): a table of up to 2^SOURCE_BITS places (sources.ts
 * SourceTable, at most 20 KB, made when first needed); an address pushed out starts its count
 * afresh (lower, never higher). A Map took 5-6% of scoring, a new entry per line where clients
 * come from everywhere.
 */
const SOURCE_BITS = 10;

/** An address's count (sources.ts) and the line it was last seen at. */
interface SourceEntry {
  count: number;
  last: number;
}

export class Familiarity implements FamiliarityLog {
  private readonly entries = new Map<number, Occasions>();
  private sources: SourceTable | null = null;
  private scored = 0;
  /**
   * @internal Plain new-message lines of the last PHASE_WINDOW lines. Not part of the saved state:
   * a restored log starts outside any phase, so its next lines score as high as without it, never lower.
   */
  recent: Recent = [];
  recentTemplates: number[] = [];
  lastFrame = -Infinity;

  recentPlain(key: number): number {
    return countRecent(this.recent, this.scored, key);
  }

  get lines(): number {
    return this.scored;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The log a saved state describes; its entries may come in any order (they carry `last`). */
  static fromState(state: FamiliarityState): Familiarity {
    const f = new Familiarity();
    const entries = state.entries.slice().sort((a, b) => a.last - b.last);
    for (const e of entries) {
      f.put(e.key, { last: e.last, routine: e.routine, run: e.run, runLines: e.seen.length > 0 ? e.seen.slice() : null });
    }
    f.scored = state.lines;
    return f;
  }

  toState(): FamiliarityState {
    return { lines: this.scored, entries: stateEntries(this.entries) };
  }

  observe(key: number, line: number, trainedLines: number, plain = false): number {
    const e = this.entries.get(key) ?? fresh();
    this.entries.delete(key);
    const before = record(e, this.scored, line, trainedLines);
    this.put(key, e);
    if (plain) noteRecent(this.recent, this.scored, key);
    return before;
  }

  observeRun(key: number, out: RunCounts): void {
    const e = this.entries.get(key) ?? fresh();
    this.entries.delete(key);
    recordRun(e, this.scored, out);
    this.put(key, e);
  }

  observeSource(key: number): number {
    return this.sourceTable().observe(key, this.scored);
  }

  private sourceTable(): SourceTable {
    return (this.sources ??= new SourceTable(4, SOURCE_BITS));
  }

  /** @internal For a draft: the log's count of an address. */
  peekSource(key: number): SourceEntry | undefined {
    const p = this.sources === null ? -1 : this.sources.find(key);
    return p < 0 ? undefined : { count: this.sources!.count(p), last: this.sources!.last(p) };
  }

  /** @internal Takes a draft's address counts. */
  adoptSources(touched: Map<number, SourceEntry>): void {
    if (touched.size === 0) return;
    const table = this.sourceTable();
    for (const [key, e] of touched) table.set(key, e.count, e.last);
  }

  tick(): void {
    this.scored++;
  }

  /**
   * A draft for one batch: it reads this log and records into a copy, which
   * `commit()` makes the log's own. A batch that fails is scored again
   * against the log as it was, so a retry sees no line twice.
   */
  draft(): FamiliarityDraft {
    return new FamiliarityDraft(this);
  }

  /** @internal */
  peek(key: number): Occasions | undefined {
    return this.entries.get(key);
  }

  /** @internal Takes a draft's state. */
  adopt(entries: Map<number, Occasions>, lines: number): void {
    for (const [key, e] of byLast(entries)) {
      this.entries.delete(key);
      this.put(key, e);
    }
    this.scored = lines;
  }

  /** @internal The state `adopt(entries, lines)` would leave, without changing this log. */
  stateAfter(entries: Map<number, Occasions>, lines: number): FamiliarityState {
    const merged = new Map(this.entries);
    for (const [key, e] of byLast(entries)) {
      merged.delete(key);
      merged.set(key, e);
    }
    const all = stateEntries(merged);
    return { lines, entries: all.slice(Math.max(0, all.length - FAMILIAR_MAX)) };
  }

  /** @internal What `adopt(entries, lines)` changes in this log's state (see FamiliarityChange). */
  changeAfter(entries: Map<number, Occasions>, lines: number): FamiliarityChange {
    let added = 0;
    for (const key of entries.keys()) if (!this.entries.has(key)) added++;
    // The merged order is this log's untouched entries, then the touched ones by last sighting;
    // the oldest beyond FAMILIAR_MAX fall out, as in `put`.
    let excess = this.entries.size + added - FAMILIAR_MAX;
    const drop: number[] = [];
    for (const key of this.entries.keys()) {
      if (excess <= 0) break;
      if (entries.has(key)) continue;
      drop.push(key);
      excess--;
    }
    const set: FamiliarityEntry[] = [];
    for (const [key, e] of byLast(entries)) {
      if (excess > 0) {
        excess--;
        if (this.entries.has(key)) drop.push(key);
      } else set.push(stateEntry(key, e));
    }
    return { lines, set, drop };
  }

  private put(key: number, e: Occasions): void {
    this.entries.set(key, e);
    if (this.entries.size > FAMILIAR_MAX) this.entries.delete(this.entries.keys().next().value!);
  }
}

export class FamiliarityDraft implements FamiliarityLog {
  private readonly touched = new Map<number, Occasions>();
  private readonly touchedSources = new Map<number, SourceEntry>();
  private scored: number;
  private committed = false;
  private readonly recent: Recent;
  readonly recentTemplates: number[];
  lastFrame: number;

  constructor(private readonly base: Familiarity) {
    this.scored = base.lines;
    this.recent = base.recent.slice();
    this.recentTemplates = base.recentTemplates.slice();
    this.lastFrame = base.lastFrame;
  }

  recentPlain(key: number): number {
    return countRecent(this.recent, this.scored, key);
  }

  get lines(): number {
    return this.scored;
  }

  observe(key: number, line: number, trainedLines: number, plain = false): number {
    const e = this.touch(key);
    if (plain) noteRecent(this.recent, this.scored, key);
    return record(e, this.scored, line, trainedLines);
  }

  observeRun(key: number, out: RunCounts): void {
    recordRun(this.touch(key), this.scored, out);
  }

  observeSource(key: number): number {
    let e = this.touchedSources.get(key);
    if (e === undefined) {
      const b = this.base.peekSource(key);
      e = b === undefined ? { count: 0, last: this.scored } : { ...b };
      this.touchedSources.set(key, e);
    }
    e.count = sourceCount(e.count, e.last, this.scored);
    e.last = this.scored;
    return e.count;
  }

  /** The draft's own copy of the log's entry (a fresh one when the log has none). */
  private touch(key: number): Occasions {
    let e = this.touched.get(key);
    if (e === undefined) {
      const b = this.base.peek(key);
      e = b === undefined ? fresh() : { ...b, runLines: b.runLines === null ? null : b.runLines.slice() };
      this.touched.set(key, e);
    }
    return e;
  }

  tick(): void {
    this.scored++;
  }

  /** The log's state once this draft is committed: what is saved with the checkpoint before `commit()`. */
  state(): FamiliarityState {
    return this.base.stateAfter(this.touched, this.scored);
  }

  /** What committing this draft changes in the log's saved state (a smaller write than `state()`). */
  change(): FamiliarityChange {
    return this.base.changeAfter(this.touched, this.scored);
  }

  /** Makes the draft's lines part of the log (once). */
  commit(): void {
    if (this.committed) throw new Error('familiarity draft committed twice');
    this.committed = true;
    this.base.adopt(this.touched, this.scored);
    this.base.adoptSources(this.touchedSources);
    this.base.recent = this.recent;
    this.base.recentTemplates = this.recentTemplates;
    this.base.lastFrame = this.lastFrame;
  }
}
