// What the values of one variable slot of a template looked like in training,
// and how unusual a new value is. Memory per slot is bounded: at most
// MAX_CATEGORIES exact values with counts, at most MAX_SHAPES value shapes
// (value-shape.ts), and per shape and number position a histogram of orders
// of magnitude (quarter-decade bins).

import { scanValue, fields, fieldCount } from './value-shape.js';

/** Distinct values remembered per slot; beyond it the slot is "free-form". */
export const MAX_CATEGORIES = 8;
/** Distinct value shapes remembered per slot; beyond it shapes are not judged. */
const MAX_SHAPES = 4;
/** Fewest observations before a slot (or one of its shapes) is judged at all. */
const MIN_OBSERVATIONS = 10;
/** Longest value remembered as a category (longer ones are free text). */
const MAX_CATEGORY_LENGTH = 64;
const BINS_PER_DECADE = 4;
/** A number within this many decades of the (trimmed) range seen is ordinary. */
const MARGIN_DECADES = 1.5;
/** Nats per decade beyond the margin: a size 10,000 times larger than ever is worse than 50 times. */
const PER_DECADE = 2.5;
/** A slot that only ever took this many values gets a bonus when it takes a new one. */
const FEW_VALUES = 2;
const FEW_VALUES_BONUS = 1;
const MAX_SURPRISE = 14;

/** Sign-preserving order of magnitude: 0 -> 0, 9 -> 1, 99 -> 2, -99 -> -2. */
export function magnitude(v: number): number {
  return v < 0 ? -Math.log10(1 - v) : Math.log10(1 + v);
}

export interface FieldModel {
  /** [quarter-decade bin, count], ascending. */
  bins: Array<[number, number]>;
}

/** Frozen slot statistics, as stored in a snapshot. */
export interface SlotModel {
  n: number;
  /** Value -> count when the slot took few distinct values; null for free-form slots. */
  cats: Array<[string, number]> | null;
  /** [shape hash, count, numbers per position]; null when the slot took too many shapes. */
  shapes: Array<[number, number, FieldModel[]]> | null;
}

class ShapeAcc {
  n = 0;
  readonly bins: Array<Map<number, number>> = [];
}

/** Training-time accumulator of one slot. */
export class SlotAccumulator {
  n = 0;
  cats: Map<string, number> | null = new Map();
  shapes: Map<number, ShapeAcc> | null = new Map();
  /** The first values seen, kept after overflow for the vocabulary. */
  sample: string[] = [];

  add(value: string, times = 1): void {
    this.n += times;
    const cats = this.cats;
    if (cats !== null) {
      const c = cats.get(value);
      if (c !== undefined) cats.set(value, c + times);
      else if (cats.size < MAX_CATEGORIES && value.length <= MAX_CATEGORY_LENGTH) {
        cats.set(value, times);
        this.sample.push(value);
      } else this.cats = null;
    }
    const shapes = this.shapes;
    if (shapes === null) return;
    const h = scanValue(value);
    let s = shapes.get(h);
    if (s === undefined) {
      if (shapes.size >= MAX_SHAPES) {
        this.shapes = null;
        return;
      }
      shapes.set(h, (s = new ShapeAcc()));
    }
    s.n += times;
    for (let i = 0; i < fieldCount; i++) {
      const bins = s.bins[i] ?? (s.bins[i] = new Map());
      const b = Math.round(magnitude(fields[i]!) * BINS_PER_DECADE);
      bins.set(b, (bins.get(b) ?? 0) + times);
    }
  }

  freeze(): SlotModel {
    return {
      n: this.n,
      cats: this.cats === null ? null : [...this.cats.entries()],
      shapes:
        this.shapes === null
          ? null
          : [...this.shapes.entries()].map(([h, s]) => [h, s.n, s.bins.map((m) => ({ bins: [...m.entries()].sort((a, b) => a[0] - b[0]) }))]),
    };
  }
}

/** Magnitude histogram of one number position, with its trimmed range. */
class FieldView {
  private readonly mags: Float64Array;
  private readonly counts: Float64Array;
  private readonly total: number;
  private readonly lo: number;
  private readonly hi: number;
  /** Values below zero seen in training. */
  private readonly negatives: number;

  constructor(m: FieldModel) {
    this.mags = Float64Array.from(m.bins, ([b]) => b / BINS_PER_DECADE);
    this.counts = Float64Array.from(m.bins, ([, c]) => c);
    let t = 0;
    for (const c of this.counts) t += c;
    this.total = t;
    let neg = 0;
    for (let i = 0; i < this.mags.length && this.mags[i]! < 0; i++) neg += this.counts[i]!;
    this.negatives = neg;
    // The extreme 1% (at least one value) at each end is left out of the range:
    // one outlier in training must not hide the next one.
    const trim = Math.max(1, Math.floor(t * 0.01));
    this.lo = this.edge(trim, 1);
    this.hi = this.edge(trim, -1);
  }

  private edge(trim: number, dir: 1 | -1): number {
    const n = this.mags.length;
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const i = dir === 1 ? k : n - 1 - k;
      acc += this.counts[i]!;
      if (acc > trim) return this.mags[i]! - dir * 0.125;
    }
    return dir === 1 ? this.mags[0]! : this.mags[n - 1]!;
  }

  /**
   * Beyond the trimmed range by more than the margin: about (T + 1) / (n + 1)
   * of training values were at least as extreme (T: those past the margin
   * line), plus PER_DECADE per decade further out.
   */
  surprise(x: number): number {
    if (this.mags.length === 0) return 0;
    // A negative number where there never was one: error codes (-1) and
    // overflows look like this. Good-Turing again: about 1 / (n + 1).
    const sign = x < 0 && this.negatives === 0 ? Math.log(this.total + 1) : 0;
    const mag = magnitude(x);
    const beyond = mag > this.hi ? mag - this.hi : mag < this.lo ? this.lo - mag : 0;
    if (beyond <= MARGIN_DECADES) return sign;
    let t = 0;
    const up = mag > this.hi;
    for (let i = 0; i < this.mags.length; i++) {
      const m = this.mags[i]!;
      if (up ? m >= mag - MARGIN_DECADES : m <= mag + MARGIN_DECADES) t += this.counts[i]!;
    }
    return Math.max(sign, Math.log((this.total + 1) / (t + 1)) + PER_DECADE * (beyond - MARGIN_DECADES));
  }
}

interface ShapeView {
  n: number;
  fields: FieldView[];
}

/** A frozen slot with lookup tables for scoring. */
export class SlotView {
  readonly cats: Map<string, number> | null;
  private readonly catSingletons: number;
  private readonly shapes: Map<number, ShapeView> | null;
  private readonly shapeSingletons: number;

  constructor(readonly m: SlotModel) {
    this.cats = m.cats === null ? null : new Map(m.cats);
    this.catSingletons = m.cats === null ? 0 : m.cats.filter(([, c]) => c === 1).length;
    this.shapes = m.shapes === null ? null : new Map(m.shapes.map(([h, n, fs]) => [h, { n, fields: fs.map((f) => new FieldView(f)) }]));
    this.shapeSingletons = m.shapes === null ? 0 : m.shapes.filter(([, n]) => n === 1).length;
  }

  /** Count of a categorical value in training (0 when unseen or the slot is free-form). */
  countOf(value: string): number {
    return this.cats?.get(value) ?? 0;
  }

  /**
   * Surprise (nats, 0 = ordinary) of a value: a new value in a slot that took
   * few (Good-Turing: a new one has probability about (singletons + 1) /
   * (n + 2)); a new shape (text where there were always numbers); a number
   * far outside the range of its position within the value.
   */
  surprise(value: string): number {
    const m = this.m;
    if (m.n < MIN_OBSERVATIONS) return 0;
    const cats = this.cats;
    if (cats !== null && cats.has(value)) return 0;
    let best = 0;
    if (cats !== null) {
      best = Math.log((m.n + 2) / (this.catSingletons + 1)) - 0.5 * Math.log(1 + cats.size) + (cats.size <= FEW_VALUES ? FEW_VALUES_BONUS : 0);
    }
    const shapes = this.shapes;
    if (shapes !== null) {
      const h = scanValue(value);
      const s = shapes.get(h);
      if (s === undefined) {
        best = Math.max(best, Math.log((m.n + 2) / (this.shapeSingletons + 1)) - Math.log(1 + shapes.size));
      } else if (s.n >= MIN_OBSERVATIONS) {
        const k = Math.min(fieldCount, s.fields.length);
        for (let i = 0; i < k; i++) {
          const x = s.fields[i]!.surprise(fields[i]!);
          if (x > best) best = x;
        }
      }
    }
    return Math.min(MAX_SURPRISE, best) * (m.n / (m.n + 10));
  }
}
