// Values judged per key: a request's duration by its own route, not by every route of the service.
// An access log, a Serilog or Go service's `request served` line is one template for all routes,
// and its duration slot mixes a product search that takes seconds with an order lookup that takes
// 20 ms: an order lookup at 1.5 s, twenty times its slowest in training, was no news against the
// search's seconds (a review's .NET service, 0 of 90 such lines flagged; Spring's access log, 0 of
// 54). A slot of few different words (a route, a method, a queue's or a table's name: the KEY
// slots of a template) splits the template's quantities (its TARGET slots) into one slot model per
// combination of their shapes, with the same statistics as the template's own slots (slots.ts); a
// quantity is then judged by its key's model too, when that key had enough lines, and the more
// unusual of the two judgements counts (detector.ts).

import { SlotAccumulator, SlotTable, type SlotModel } from './slots.js';
import { quantityFields, scanValue, scannedUnits } from './value-shape.js';

/** Most different shapes a slot may take and still be a key (routes of a service, its methods). */
export const MAX_KEYS = 32;
/** Most combinations of the keys' shapes a template may take before it is judged without keys. */
const MAX_COMBINATIONS = 64;
/** Fewest lines of a key before its quantities are judged by it: fewer tell too little of a tail. */
export const MIN_KEYED = 50;
/** Most models of quantities per key a template keeps (a few hundred bytes each in a snapshot). */
export const MAX_MODELS = 48;

/** The combination of no key yet. */
const NO_KEYS = 0;

/**
 * The key a value is as a key slot's: its shape (value-shape.ts: digit runs as one, words kept),
 * without a query string (`/api/products?q=jacket` is the route `/api/products`); 0 for a value
 * without a letter (a number, an address, a time) or with a number in a unit (`575.2 ms`), which
 * is a quantity or an identifier, no key.
 */
export function keyOf(v: string): number {
  let letter = false;
  let q = v.length;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 63) {
      q = i;
      break;
    }
    if (!letter && ((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) letter = true;
  }
  if (!letter) return 0;
  const h = scanValue(q === v.length ? v : v.slice(0, q));
  // A number in a unit (`575.2 ms`, `12 KB`) is a quantity however its unit is written.
  if (scannedUnits !== 0) return 0;
  // (Never 0: a shape hash of 0 would read as "no key".)
  return h || 1;
}

/**
 * A key's part of the combination of a line's keys (slot i's key; 0 where the line has no value
 * there): the parts combine by exclusive or, so that a key slot that never changed can be taken
 * out of every combination afterwards (freeze).
 */
export function keyPart(i: number, key: number): number {
  let h = Math.imul(key ^ Math.imul(i + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** As a snapshot stores it: the template's key slots, and per target slot its models by combination of keys. */
export interface KeyedModel {
  /** Indexes (among the template's slots) of its key slots, ascending. */
  keys: number[];
  /** [index of a target slot among the template's slots, [combination of keys, model]...]. */
  slots: Array<[number, Array<[number, SlotModel]>]>;
}

/** Training-time statistics of one template's quantities per key. */
export class KeyedAccumulator {
  /** Per slot of the template: the shapes it took so far as a key, or null once it is no key. */
  private readonly keys: Array<Set<number> | null>;
  /** Per slot: 0 not yet known, 1 a quantity (a target), 2 none. */
  private readonly kind: Uint8Array;
  /** Per key slot, its last value and that value's key: a level's or a user's comes again and again. */
  private readonly lastValue: Array<string | null>;
  private readonly lastKey: Float64Array;
  /** Per key slot, 1 once a line had no value there. */
  private readonly missing: Uint8Array;
  /** Per slot, when a target: its accumulators by combination of keys. */
  private readonly subs: Array<Map<number, SlotAccumulator> | undefined>;
  private combinations = new Set<number>();
  /** No key left, or too many combinations of them: the template is judged without keys. */
  private dead = false;
  /** Its first line was read (start). */
  private started = false;

  constructor(slotCount: number) {
    this.keys = Array.from({ length: slotCount }, () => new Set<number>());
    this.subs = new Array<Map<number, SlotAccumulator> | undefined>(slotCount).fill(undefined);
    this.kind = new Uint8Array(slotCount);
    this.lastValue = new Array<string | null>(slotCount).fill(null);
    this.lastKey = new Float64Array(slotCount);
    this.missing = new Uint8Array(slotCount);
  }

  /** Whether the template may still be judged per key: add() wants its lines. */
  get live(): boolean {
    return !this.dead;
  }

  /** Forgets the per-key statistics (the template's lines so far no longer all count for it: trainer.ts absorbMerged). */
  restart(): void {
    this.subs.fill(undefined);
    this.combinations.clear();
  }

  /** One line's values, by slot (null where the line has none; entries past the template's slots are ignored). */
  add(values: ReadonlyArray<string | null>): void {
    if (this.dead) return;
    if (!this.started && !this.start(values)) return;
    let combination = NO_KEYS;
    let anyKey = false;
    for (let i = 0; i < this.keys.length; i++) {
      const seen = this.keys[i];
      if (seen === null || seen === undefined) continue;
      const v = values[i];
      let key = 0;
      if (v === null || v === undefined) this.missing[i] = 1;
      else if (v === this.lastValue[i]) key = this.lastKey[i]!;
      else {
        key = keyOf(v);
        this.lastValue[i] = v;
        this.lastKey[i] = key;
      }
      if (v !== null && v !== undefined && !seen.has(key)) {
        if (key === 0 || seen.size >= MAX_KEYS) {
          // No key after all: the statistics kept by the combinations it was part of are no one's,
          // and this line's combination is that of the other keys.
          this.keys[i] = null;
          this.restart();
          continue;
        }
        seen.add(key);
      }
      combination = (combination ^ keyPart(i, key)) >>> 0;
      anyKey = true;
    }
    if (!anyKey) {
      this.die();
      return;
    }
    if (!this.combinations.has(combination)) {
      if (this.combinations.size >= MAX_COMBINATIONS) {
        this.die();
        return;
      }
      this.combinations.add(combination);
    }
    // One combination so far is the template itself, which its own slots judge: kept from the
    // second on (the first's lines before it are its own slots' only).
    if (this.combinations.size < 2) return;
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] !== null) continue;
      const v = values[i];
      if (v === null || v === undefined || !this.isQuantity(i, v)) continue;
      let byKey = this.subs[i];
      if (byKey === undefined) this.subs[i] = byKey = new Map();
      let acc = byKey.get(combination);
      if (acc === undefined) byKey.set(combination, (acc = new SlotAccumulator()));
      acc.add(v);
    }
  }

  /**
   * Sorts the slots by the first line's values into keys and the rest, and gives up on a template
   * without both a key and a quantity (most templates: judging them per key would cost their every
   * line a look at its keys for nothing). Whether it goes on.
   */
  private start(values: ReadonlyArray<string | null>): boolean {
    this.started = true;
    let keys = 0;
    let quantities = 0;
    for (let i = 0; i < this.keys.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      if (keyOf(v) !== 0) keys++;
      else {
        this.keys[i] = null;
        if (this.isQuantity(i, v)) quantities++;
      }
    }
    if (keys > 0 && quantities > 0) return true;
    this.die();
    return false;
  }

  /** Whether slot i holds a quantity (value-shape.ts quantityFields), by its first value. */
  private isQuantity(i: number, v: string): boolean {
    if (this.kind[i] === 0) {
      scanValue(v);
      this.kind[i] = quantityFields() !== 0 ? 1 : 2;
    }
    return this.kind[i] === 1;
  }

  private die(): void {
    this.dead = true;
    this.restart();
  }

  /** The statistics worth keeping: keys of MIN_KEYED lines at least, where the template had two keys or more; undefined when none. */
  freeze(): KeyedModel | undefined {
    if (this.dead || this.combinations.size < 2) return undefined;
    // A key slot that always held the same key (a logger's name, a caller's file and line) tells
    // the combinations nothing: out of them, so that a line judged by another template's fields
    // (detector.ts nearValues), which may not write it, still finds its key's model.
    const keys: number[] = [];
    let constant = 0;
    this.keys.forEach((seen, i) => {
      if (seen === null) return;
      if (seen.size === 1 && this.missing[i] === 0) constant ^= keyPart(i, seen.values().next().value!);
      else keys.push(i);
    });
    // The busiest keys' models, MAX_MODELS at most: a template's part of the snapshot stays small
    // however many quantities and keys it has.
    const kept: Array<[number, number, SlotAccumulator]> = [];
    for (let i = 0; i < this.subs.length; i++) {
      for (const [combination, acc] of this.subs[i] ?? []) if (acc.n >= MIN_KEYED) kept.push([i, (combination ^ constant) >>> 0, acc]);
    }
    if (kept.length === 0) return undefined;
    kept.sort((a, b) => b[2].n - a[2].n || a[0] - b[0] || a[1] - b[1]);
    kept.length = Math.min(kept.length, MAX_MODELS);
    kept.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const slots: KeyedModel['slots'] = [];
    for (const [i, combination, acc] of kept) {
      const last = slots[slots.length - 1];
      const model: [number, SlotModel] = [combination, acc.freeze()];
      if (last !== undefined && last[0] === i) last[1].push(model);
      else slots.push([i, [model]]);
    }
    return { keys, slots };
  }
}

/** A known template's quantities per key, as scoring reads them. */
export interface KeyedView {
  /** Its key slots (indexes among the template's slots), in the order their keys combine. */
  readonly keys: Int32Array;
  /** Its target slots, and per target the slot of each combination of keys in the model's keyed SlotTable. */
  readonly targets: Int32Array;
  readonly models: ReadonlyArray<ReadonlyMap<number, number>>;
}

/** All templates' quantities per key in one SlotTable (its slots numbered template by template), and each template's view of them. */
export function keyedTable(
  records: ReadonlyArray<{ readonly tokens: readonly string[]; readonly slots: ReadonlyArray<readonly [number, number, SlotModel]>; readonly keyed?: KeyedModel }>,
): { table: SlotTable; views: Array<KeyedView | undefined> } {
  const rows: Array<Array<[number, number, SlotModel]>> = [];
  const views: Array<KeyedView | undefined> = [];
  let next = 0;
  for (const r of records) {
    const row: Array<[number, number, SlotModel]> = [];
    rows.push(row);
    if (r.keyed === undefined) {
      views.push(undefined);
      continue;
    }
    const models = r.keyed.slots.map(([t, ms]) => {
      const byKey = new Map<number, number>();
      const [pos, vi] = r.slots[t]!;
      for (const [combination, m] of ms) {
        row.push([pos, vi, m]);
        byKey.set(combination, next++);
      }
      return byKey;
    });
    views.push({ keys: Int32Array.from(r.keyed.keys), targets: Int32Array.from(r.keyed.slots, ([t]) => t), models });
  }
  return { table: new SlotTable(rows, records.map((r) => r.tokens)), views };
}

/**
 * A known line's quantities judged by their key too (values: the line's slot values by slot, ''
 * where it has none; surprises: their surprise by the template's own slots): each surprise
 * becomes the greater of the two. Slots at token positions before `firstJudged` (a header's values) are not judged.
 */
export function judgeByKeys(view: KeyedView, table: SlotTable, values: readonly string[], surprises: number[], firstJudged: number): void {
  let combination = NO_KEYS;
  for (let k = 0; k < view.keys.length; k++) {
    const i = view.keys[k]!;
    const v = values[i]!;
    combination = (combination ^ keyPart(i, v === '' ? 0 : keyOf(v))) >>> 0;
  }
  for (let t = 0; t < view.targets.length; t++) {
    const slot = view.models[t]!.get(combination);
    if (slot === undefined || table.pos[slot]! < firstJudged) continue;
    const i = view.targets[t]!;
    const v = values[i]!;
    if (v === '') continue;
    const x = table.surprise(slot, v);
    if (x > surprises[i]!) surprises[i] = x;
  }
}
