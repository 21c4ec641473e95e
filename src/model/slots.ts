// What the values of one variable slot of a template looked like in training,
// and how unusual a new value is. Memory per slot is bounded: at most
// MAX_CATEGORIES exact values with counts, at most MAX_SHAPES value shapes
// (value-shape.ts), and per shape and number position a histogram of orders
// of magnitude (quarter-decade bins).

import { scanValue, fields, fieldCount, quantityFields, digitsOnlyId, otherAddressHash, publicAddress, scannedAddressEnd, scannedUnits, HASH_HEX } from './value-shape.js';
import { isClockReading } from './calendar.js';
import { noteOccasion, occasionsWeight, type Occasions } from './occasions.js';
import { SourceCounter, addressKey, sourceEnd, sourceStart } from './sources.js';
import { WILDCARD } from './mask.js';
import { placeholders } from './layout.js';
import { keyUnit, wordingUnit } from './units.js';

/** Distinct values remembered per slot; beyond it the slot is "free-form". */
export const MAX_CATEGORIES = 8;
/**
 * Failure terms of quoted texts remembered per slot; when a new one comes, the one of the fewest
 * occasions makes room (a term that keeps coming gets in however late it first came).
 */
const MAX_TERMS = 48;
/** Distinct value shapes remembered per slot; beyond it shapes are not judged. */
const MAX_SHAPES = 4;
/** Fewest observations before a slot (or one of its shapes) is judged at all. */
const MIN_OBSERVATIONS = 10;
/** Longest value remembered as a category (longer ones are free text). */
const MAX_CATEGORY_LENGTH = 64;
const BINS_PER_DECADE = 4;
/** A number within this many decades of the (trimmed) range seen is ordinary. */
export const MARGIN_DECADES = 1.5;
/**
 * The margin for a slot whose numbers were written with a unit (a duration, a size: units.ts):
 * measured quantities, where a spike of 10-30 times the largest value is news, and no address's
 * octets or clock's readings are among them. Two reviews found such spikes unseen at 1.5 (a slow
 * query of 94 s where queries took 0.3-8 s, page-cleaner flushes of 400 s where they took 1-18 s).
 */
const UNIT_VALUE_MARGIN = 1.0;
/**
 * Decades above a slot's range beyond which a number in a unit the slot never wrote is a new kind of
 * value (slots.ts surprise): Go writes 953 ms and 1.086 s, which is no news; 3.4 s where applies
 * took 100-250 ms is.
 */
const UNIT_MARGIN_DECADES = 0.5;
/**
 * A number alone in its value is also judged by its slot's upper tail (tailSurprise): how fast the
 * histogram falls from its most frequent bin to its highest, carried on beyond it. A light tail (a
 * CPU's average 0-18 %, falling tenfold per quarter decade) makes 94 news, 0.7 decades above, where
 * the 1.5-decade margin saw nothing; a heavy one (sizes over decades) keeps a larger value ordinary;
 * a slot whose highest bin is its most frequent (ids, ports, counters spread evenly) is not judged
 * so. Durations and sizes too (until 2026-11-25 they kept their one-decade margin alone): the
 * API server's traces at `total time: 4-11 s` where they took 0.5-1.5 s, InnoDB's page cleaner at
 * 40-59 s where it took 1.4-12.9 s (0.5-0.9 decades above); 46 review sets: 82 more incident lines,
 * no routine line more. The fall is read down to the highest bin holding TAIL_MIN values at least (a
 * fall to an outlier or two says nothing of its rate; until 2026-11-25 such a slot had no tail at all,
 * and InnoDB's page cleaner at 68-100 s, where it took 1.2-16 s, was no news: 46 review sets, 18
 * incident lines more, no routine line more), it counts at most TAIL_RATE_CAP nats per bin, and a
 * value is judged from TAIL_FROM bins (about 2.4 times) above the highest bin's middle.
 */
const TAIL_MIN = 3;
const TAIL_RATE_CAP = 2;
const TAIL_FROM = 1.5;
/** Nats per decade beyond the margin: a size 10,000 times larger than ever is worse than 50 times. */
export const PER_DECADE = 3;
/** Most values (share of a field's) that a gap wider than the margin sets apart as outliers. */
const OUTLIER_SHARE = 0.05;
/** A slot that only ever took this many values gets a bonus when it takes a new one. */
const FEW_VALUES = 2;
const FEW_VALUES_BONUS = 1;
const MAX_SURPRISE = 14;
/**
 * Largest relative step (|b - a| / max(|a|, |b|)) between a slot's successive values for the slot
 * to count as drifting: a gauge or counter written in a status line (`43.0 TiB`, `64%`), whose
 * next value is new without being unusual.
 */
const DRIFT_STEP = 0.25;
/** Fewest changes of value, and distinct values, in training before a slot counts as drifting. */
const DRIFT_CHANGES = 2;
const DRIFT_VALUES = 3;
/** Steps (the largest one seen) a drifting slot's new value may lie beyond the values seen. */
const DRIFT_REACH = 2;
/**
 * Fewest changes of value, and lines per run of one value, before a slot whose values mostly went on
 * to one never held before (came back to one held before at most half as often as it has values: a
 * process id reused; not a value that keeps coming back after excursions) counts
 * as one of epochs (SlotModel epochs): a process id that changed at the weekly restarts of training
 * (a review's Spring Boot service, `INFO 58 --- [main]`), after which every line was an unusual value.
 */
const EPOCH_CHANGES = 2;
const EPOCH_RUN = 20;
/** Nats added to a negative number in a field that never held one (a factor of about 7). */
const NEGATIVE_PRIOR = 2;
/** Width (decades) of a trimmed range that holds a single bin: a constant. */
const SINGLE_BIN = 0.25 + 1e-9;
/** A constant at or above this magnitude (about 75,000) is an identifier, not a quantity. */
const ID_MAGNITUDE = 4.875;

/** Sign-preserving order of magnitude: 0 -> 0, 9 -> 1, 99 -> 2, -99 -> -2. */
export function magnitude(v: number): number {
  return v < 0 ? -Math.log10(1 - v) : Math.log10(1 + v);
}

/** The histogram bin (quarter decade of magnitude) a number is counted in. */
export function magnitudeBin(v: number): number {
  return Math.round(magnitude(v) * BINS_PER_DECADE);
}

// Fractions have a scale of their own: in orders of magnitude of 1 + v every value below 1 lies
// within a third of a decade of 0, so a duration in seconds that was always 0.02 would reach
// the margin only at about 30 s. A fraction's histogram key is FRACTION_KEY plus its quarter
// decades below 1 (0.5 -> 1, 0.021 -> 7), apart from (above) every whole-number bin: a value
// of at most 120 characters has at most 480 of those. A field whose non-zero training values
// were mostly fractions is then judged by log10 of its values (fractionField), any other field
// folds those keys back into its bins of 1 + v, as before.
const FRACTION_KEY = 10000;
/** Finest fraction told apart: 10^-9 (a nanosecond in seconds). */
const MAX_FRACTION_QUARTERS = 36;

/** The histogram key a number is counted under: its bin, or its fraction key (above). */
export function histogramKey(v: number): number {
  if (v > 0 && v < 1) return FRACTION_KEY + Math.min(MAX_FRACTION_QUARTERS, Math.round(-BINS_PER_DECADE * Math.log10(v)));
  // A small negative number (an offset of -0.001) rounds to bin -0, which a Map counts as 0: it
  // must count as negative, or a field full of them is "never negative" and each one flagged.
  return v < 0 ? Math.min(-1, magnitudeBin(v)) : magnitudeBin(v);
}

/**
 * Whether a field is judged on the fraction scale: no negative values, and most of its non-zero
 * values below 1. `bins` ascending, so fraction keys come last.
 */
function fractionField(bins: ReadonlyArray<readonly [number, number]>): boolean {
  let fractions = 0;
  let whole = 0;
  for (const [b, c] of bins) {
    if (b < 0) return false;
    if (b >= FRACTION_KEY) fractions += c;
    else if (b > 0) whole += c;
  }
  return fractions > whole;
}

/**
 * A key's magnitude on the field's scale. Fraction scale: log10 of the value (a whole-number
 * bin's value is 10^(b/4) - 1); zeros are not on it (null). Otherwise: of 1 + the value, a
 * fraction's key folded into the bin its value falls in.
 */
function keyMagnitude(b: number, onFractions: boolean): number | null {
  if (b >= FRACTION_KEY) {
    const log = -(b - FRACTION_KEY) / BINS_PER_DECADE;
    return onFractions ? log : Math.round(Math.log10(1 + 10 ** log) * BINS_PER_DECADE) / BINS_PER_DECADE;
  }
  if (!onFractions) return b / BINS_PER_DECADE;
  return b === 0 ? null : Math.log10(10 ** (b / BINS_PER_DECADE) - 1);
}

export interface FieldModel {
  /** [quarter-decade bin, count], ascending. */
  bins: Array<[number, number]>;
}

/** Frozen slot statistics, as stored in a snapshot. */
export interface SlotModel {
  n: number;
  /**
   * Failure terms of the slot's quoted texts: [term, weight of its separate occasions
   * (occasions.ts)]; absent when none.
   */
  terms?: Array<[string, number]>;
  /** Value -> count when the slot took few distinct values; null for free-form slots. */
  cats: Array<[string, number]> | null;
  /**
   * The categories are one number of one shape that changed in small steps (DRIFT_STEP), each to
   * a value never held before: a gauge. Its largest step; new values within DRIFT_REACH such steps
   * of those seen are judged by their numbers only. Absent for other slots.
   */
  drifts?: number;
  /**
   * The categories came one after another, each for a long run of lines, mostly never back to one
   * held before (EPOCH_CHANGES, EPOCH_RUN): a process id, a boot's id, a deployed version. A new
   * value starts one more epoch, and is no unusual value. Absent for other slots (and drifting ones).
   */
  epochs?: true;
  /** [shape hash, count, numbers per position]; null when the slot took too many shapes. */
  shapes: Array<[number, number, FieldModel[]]> | null;
  /**
   * A slot of IPv4 addresses (most of its values began with one): the densest count of any one
   * address in training (sources.ts). Absent for other slots, and in models saved before it.
   */
  flood?: number;
  /** The units its numbers were written in (value-shape.ts scannedUnits: a bit per unit); absent when none. */
  units?: number;
}

class ShapeAcc {
  n = 0;
  readonly bins: Array<Map<number, number>> = [];
  /** For an IPv4 address's shape: the hash of the same shape with an address of the other kind (value-shape.ts), else 0. */
  other = 0;
  /** Whether this is a public address's shape. */
  isPublic = false;

  /** Counts another shape's values as this one's. */
  absorb(o: ShapeAcc): void {
    this.n += o.n;
    o.bins.forEach((m, i) => {
      const bins = this.bins[i] ?? (this.bins[i] = new Map());
      for (const [b, c] of m) bins.set(b, (bins.get(b) ?? 0) + c);
    });
  }
}

/** Training-time accumulator of one slot. */
export class SlotAccumulator {
  n = 0;
  /** Its addresses' counts (sources.ts); addSource. */
  private readonly sources = new SourceCounter();
  /** Where the address the last value added holds ends, or -1, and where it begins (sources.ts sourceEnd). */
  private addressEnd = -1;
  private addressStart = 0;
  /** The units its numbers were written in (scannedUnits). */
  private units = 0;
  cats: Map<string, number> | null = new Map();
  /** Address shapes counted as another's (mergeAddressKinds), by hash. */
  private aliases: Map<number, number> | null = null;
  shapes: Map<number, ShapeAcc> | null = new Map();
  /** The first values seen, kept after overflow for the vocabulary. */
  sample: string[] = [];
  /** Failure terms of the slot's quoted texts and their occasions; at most MAX_TERMS. */
  terms: Map<string, Occasions> | null = null;
  /**
   * The last value's number and shape, its changes so far, the largest one, and whether each was a
   * small step (DRIFT_STEP) to a value the slot never held before.
   */
  private last = NaN;
  private lastShape = 0;
  private changes = 0;
  private largestStep = 0;
  private steady = true;
  /** The last value, the changes of value so far, and those back to a value held before (epochs). */
  private lastValue: string | null = null;
  private valueChanges = 0;
  private returns = 0;

  /**
   * Notes the failure terms of one line's quoted text in this slot, at line index `at` (`line`:
   * the line's identity, `gap`: the occasion gap, as for templates): a term is as routine as the
   * separate occasions it came on, not as the share of the slot's lines that had it.
   */
  addTerms(terms: ReadonlyArray<{ term: string }>, at: number, line: number, gap: number): void {
    const m = (this.terms ??= new Map());
    for (const { term } of terms) {
      let o = m.get(term);
      if (o === undefined) {
        if (m.size >= MAX_TERMS) m.delete(lightest(m));
        m.set(term, (o = { last: 0, routine: 0, run: 0, runLines: null }));
      }
      noteOccasion(o, at, line, gap);
    }
  }

  /** The address the value just added (add) begins with, counted at host line `at` (sources.ts). */
  addSource(value: string, at: number): void {
    if (this.addressEnd > 0) this.sources.add(addressKey(value, this.addressStart, this.addressEnd, 0), at);
  }

  /** Looks for the address a value holds (sources.ts sourceEnd), while the slot may still be one of addresses. */
  private findSource(value: string): void {
    this.addressEnd = this.sources.hopeless(this.n) ? -1 : sourceEnd(value);
    this.addressStart = sourceStart;
  }

  add(value: string, times = 1): void {
    this.n += times;
    const cats = this.cats;
    let held = false;
    if (cats !== null) {
      const c = cats.get(value);
      held = c !== undefined;
      if (c !== undefined) cats.set(value, c + times);
      else if (cats.size < MAX_CATEGORIES && value.length <= MAX_CATEGORY_LENGTH) {
        cats.set(value, times);
        this.sample.push(value);
      } else {
        this.cats = null;
        // (No epochs without categories: nor a last value kept alive.)
        this.lastValue = null;
      }
      if (this.cats !== null && value !== this.lastValue) {
        if (this.lastValue !== null) {
          if (held) this.returns++;
          this.valueChanges++;
        }
        this.lastValue = value;
      }
    }
    const shapes = this.shapes;
    if (shapes === null) {
      this.steady = false;
      // (Its values are not scanned any more: the address is looked for alone.)
      this.findSource(value);
      return;
    }
    let h = scanValue(value);
    // (The scan reads an IPv4 address at the start only: IPv6, `::ffff:1.2.3.4` and an address in a
    // later piece are looked for alone.)
    if (scannedAddressEnd > 0) {
      this.addressEnd = scannedAddressEnd;
      this.addressStart = 0;
    } else this.findSource(value);
    this.units |= scannedUnits;
    if (this.steady && this.cats !== null) this.noteStep(h, held);
    const other = otherAddressHash;
    const isPublic = publicAddress;
    if (this.aliases !== null) h = this.aliases.get(h) ?? h;
    let s = shapes.get(h);
    if (s === undefined) {
      if (shapes.size >= MAX_SHAPES && !this.mergeAddressKinds(h, other, isPublic)) {
        this.shapes = null;
        return;
      }
      if (this.aliases !== null) h = this.aliases.get(h) ?? h;
      s = shapes.get(h);
      if (s === undefined) {
        shapes.set(h, (s = new ShapeAcc()));
        s.other = other;
        s.isPublic = isPublic;
      }
    }
    s.n += times;
    for (let i = 0; i < fieldCount; i++) {
      const bins = s.bins[i] ?? (s.bins[i] = new Map());
      const b = histogramKey(fields[i]!);
      bins.set(b, (bins.get(b) ?? 0) + times);
    }
  }

  /**
   * Counts a change of the slot's value (the one just scanned, of shape `h`; `held`: whether the
   * slot held it before) by its size. Back to a value it held is no drift: a count of healthy
   * members going 5, 4, 5 or statuses 404, 500, 404 are states, and a third one is news.
   */
  private noteStep(h: number, held: boolean): void {
    if (fieldCount !== 1) {
      this.steady = false;
      return;
    }
    const x = fields[0]!;
    if (this.last === x && this.lastShape === h) return;
    if (!Number.isNaN(this.last)) {
      if (held || h !== this.lastShape || relativeStep(this.last, x) > DRIFT_STEP) {
        this.steady = false;
        return;
      }
      this.changes++;
      this.largestStep = Math.max(this.largestStep, Math.abs(x - this.last));
    }
    this.last = x;
    this.lastShape = h;
  }

  /**
   * Frees a place among the slot's full shapes, where it holds both kinds of an address's shape
   * (public and not, value-shape.ts) or is given the other kind of one it holds (`h`, `other`,
   * `isPublic`: the value's), by counting the two as one, as before the kinds were told apart:
   * telling them apart must not cost the slot the judgement of its values. Kept under the public
   * kind's hash, so that neither kind is new to the slot (surprise); the other hash is an alias.
   * Whether a place was freed or the value's kind merged.
   */
  private mergeAddressKinds(h: number, other: number, isPublic: boolean): boolean {
    const shapes = this.shapes!;
    const aliases = (this.aliases ??= new Map());
    const twin = other === 0 ? undefined : shapes.get(other);
    if (twin !== undefined) {
      twin.other = 0;
      if (isPublic) {
        shapes.delete(other);
        shapes.set(h, twin);
        twin.isPublic = true;
        aliases.set(other, h);
      } else aliases.set(h, other);
      return true;
    }
    for (const [hash, acc] of shapes) {
      const plain = acc.isPublic && acc.other !== 0 ? shapes.get(acc.other) : undefined;
      if (plain === undefined) continue;
      acc.absorb(plain);
      shapes.delete(acc.other);
      aliases.set(acc.other, hash);
      acc.other = 0;
      return true;
    }
    return false;
  }

  /** Whether the slot's values came in epochs (SlotModel epochs). */
  private epochal(): boolean {
    return this.cats !== null && this.valueChanges >= EPOCH_CHANGES && 2 * this.returns <= this.cats.size && this.n >= EPOCH_RUN * (this.valueChanges + 1);
  }

  freeze(): SlotModel {
    const flood = this.sources.freeze(this.n);
    return {
      n: this.n,
      ...(this.terms !== null ? { terms: [...this.terms].map(([t, o]): [string, number] => [t, Math.round(occasionsWeight(o) * 1000) / 1000]) } : {}),
      cats: this.cats === null ? null : [...this.cats.entries()],
      ...(this.cats !== null && this.cats.size >= DRIFT_VALUES && this.steady && this.changes >= DRIFT_CHANGES ? { drifts: this.largestStep } : this.epochal() ? { epochs: true as const } : {}),
      shapes:
        this.shapes === null
          ? null
          : [...this.shapes.entries()].map(([h, s]) => [h, s.n, s.bins.map((m) => ({ bins: [...m.entries()].sort((a, b) => a[0] - b[0]) }))]),
      ...(flood !== undefined ? { flood } : {}),
      ...(this.units !== 0 ? { units: this.units } : {}),
    };
  }
}

/** Whether slot (pos, vi) is the last value of `token` and ends it (`<*>`, `(<*>`, `took=<*>`). */
function lastValueOf(token: string | undefined, vi: number): boolean {
  return token !== undefined && token.endsWith(WILDCARD) && (vi < 0 || vi === placeholders(token) - 1);
}

/**
 * Surprise of a value of a shape its slot of `n` values held `seen` times among `shapes` shapes
 * (Good-Turing for a new one, `seen` its slot's singletons: about (seen + 1) / (n + 2), shared
 * among the shapes).
 */
function shapeRarity(n: number, seen: number, shapes: number): number {
  return Math.log((n + 2) / (seen + 1)) - Math.log(1 + shapes);
}

/** |b - a| relative to the larger of the two (0 for equal numbers). */
function relativeStep(a: number, b: number): number {
  const d = Math.abs(b - a);
  return d === 0 ? 0 : d / Math.max(Math.abs(a), Math.abs(b));
}

/** The term of the fewest occasions so far. */
function lightest(m: ReadonlyMap<string, Occasions>): string {
  let min = Infinity;
  let out = '';
  for (const [t, o] of m) {
    const w = occasionsWeight(o);
    if (w < min) {
      min = w;
      out = t;
    }
  }
  return out;
}

/** How many of a field's values were 0 (bin 0). */
function zerosOf(bins: ReadonlyArray<readonly [number, number]>): number {
  let z = 0;
  for (const [b, c] of bins) if (b === 0) z += c;
  return z;
}

/** A field's histogram as [magnitude, count] on its scale, ascending, one entry per magnitude. */
function scaledBins(bins: ReadonlyArray<readonly [number, number]>, onFractions: boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [b, c] of bins) {
    const mag = keyMagnitude(b, onFractions);
    if (mag !== null) out.push([mag, c]);
  }
  out.sort((x, y) => x[0] - y[0]);
  let k = 0;
  for (const e of out) {
    if (k > 0 && out[k - 1]![0] === e[0]) out[k - 1]![1] += e[1];
    else out[k++] = e;
  }
  out.length = k;
  return out;
}

/** Grows a typed array to at least `n` elements, keeping its contents. */
function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2, 16));
  b.set(a);
  return b;
}

/**
 * The frozen slots of every template of a model, with lookup tables for
 * scoring, packed into a few flat arrays (a slot is an index): per slot its
 * position, count, categories and shapes; per shape its numbers' fields; per
 * field its magnitude histogram (ascending bins) and trimmed range. Holds
 * nothing of the snapshot it was built from.
 */
export class SlotTable {
  /** Slots: token position and value index (-1 = whole token). */
  readonly pos: Int32Array;
  readonly vi: Int32Array;
  /** Per slot of addresses, the densest count of one address in training (SlotModel.flood); -1 for other slots. */
  readonly flood: Float64Array;
  /** Per slot, the units its numbers were written in (SlotModel.units). */
  private readonly units: Int32Array;
  private readonly n: Float64Array;
  /** First category of the slot in catKeys, -1 for a free-form slot (no categories). */
  private readonly catStart: Int32Array;
  /** Distinct categories. */
  private readonly catSize: Int32Array;
  private readonly catSingletons: Int32Array;
  /**
   * A drifting slot's (SlotModel drifts) shape, and its categories' least and greatest number
   * widened by DRIFT_REACH of its largest steps; NaN shape for others.
   */
  private readonly driftShape: Float64Array;
  /** 1 for a slot of epochs (SlotModel epochs). */
  private readonly epochs: Uint8Array;
  private readonly driftLo: Float64Array;
  private readonly driftHi: Float64Array;
  /** First shape of the slot, -1 when the slot took too many shapes. */
  private readonly shapeStart: Int32Array;
  private readonly shapeSize: Int32Array;
  private readonly shapeSingletons: Int32Array;
  private readonly catKeys: string[];
  private readonly catCounts: Float64Array;
  private readonly shapeHash: Float64Array;
  private readonly shapeN: Float64Array;
  private readonly shapeFieldStart: Int32Array;
  private readonly shapeFieldCount: Int32Array;
  private readonly fieldBinStart: Int32Array;
  private readonly fieldBinEnd: Int32Array;
  private readonly fieldTotal: Float64Array;
  private readonly fieldLo: Float64Array;
  private readonly fieldHi: Float64Array;
  /** Values below zero seen in training. */
  private readonly fieldNegatives: Float64Array;
  /** Nats per bin by which the upper tail falls (NaN: not judged by it). */
  private readonly tailRate: Float64Array;
  /** The bin the tail is carried on from: the highest holding TAIL_MIN values at least. */
  private readonly tailTop: Int32Array;
  private readonly binMag: Float64Array;
  private readonly binCount: Float64Array;
  /** 1 for a field judged on the fraction scale (fractionField). */
  private readonly onFractions: Uint8Array;
  /** Slot -> its quoted texts' failure terms and their occasions' weight, for the few slots that had any. */
  private readonly slotTerms = new Map<number, ReadonlyMap<string, number>>();

  /**
   * `slots[t]`: the slots of template t; template t gets slots start(t) .. start(t + 1) - 1.
   * `tokens[t]`: its tokens, for a unit its wording writes after a number (units.ts wordingUnit).
   */
  constructor(slots: ReadonlyArray<ReadonlyArray<readonly [number, number, SlotModel]>>, tokens?: ReadonlyArray<readonly string[]>) {
    let ns = 0;
    for (const ts of slots) ns += ts.length;
    this.pos = new Int32Array(ns);
    this.vi = new Int32Array(ns);
    this.flood = new Float64Array(ns).fill(-1);
    this.units = new Int32Array(ns);
    this.n = new Float64Array(ns);
    this.catStart = new Int32Array(ns);
    this.catSize = new Int32Array(ns);
    this.catSingletons = new Int32Array(ns);
    this.driftShape = new Float64Array(ns).fill(NaN);
    this.epochs = new Uint8Array(ns);
    this.driftLo = new Float64Array(ns);
    this.driftHi = new Float64Array(ns);
    this.shapeStart = new Int32Array(ns);
    this.shapeSize = new Int32Array(ns);
    this.shapeSingletons = new Int32Array(ns);
    const catKeys: string[] = [];
    let catCounts = new Float64Array(0);
    let shapeHash = new Float64Array(0);
    let shapeN = new Float64Array(0);
    let shapeFieldStart = new Int32Array(0);
    let shapeFieldCount = new Int32Array(0);
    let fieldBinStart = new Int32Array(0);
    let fieldBinEnd = new Int32Array(0);
    let binMag = new Float64Array(0);
    let binCount = new Float64Array(0);
    let onFractions = new Uint8Array(0);
    /** Zeros of a field on the fraction scale: not on the scale, still among its values. */
    const zeros: number[] = [];
    let nc = 0;
    let nsh = 0;
    let nf = 0;
    let nb = 0;
    let i = 0;
    for (let t = 0; t < slots.length; t++) {
      const words = tokens?.[t];
      for (const [pos, vi, m] of slots[t]!) {
        this.pos[i] = pos;
        this.vi[i] = vi;
        this.n[i] = m.n;
        if (m.flood !== undefined) this.flood[i] = m.flood;
        if (m.units !== undefined) this.units[i] = m.units;
        if (words !== undefined && lastValueOf(words[pos], vi)) this.units[i] |= wordingUnit(words[pos + 1]) | keyUnit(words[pos]!);
        if (m.terms !== undefined && m.terms.length > 0) this.slotTerms.set(i, new Map(m.terms));
        // A slot of clock readings (a timestamp in the line) is judged by its numbers only: the
        // next second is a new value, but not an unusual one, however few seconds training saw.
        if (m.cats === null || (m.cats.length > 0 && m.cats.every(([v]) => isClockReading(v)))) this.catStart[i] = -1;
        else {
          // As a Map built from the list would: the last count of a repeated value wins.
          const start = nc;
          let singletons = 0;
          for (const [v, c] of m.cats) {
            if (c === 1) singletons++;
            let k = start;
            while (k < nc && catKeys[k] !== v) k++;
            if (k === nc) {
              catCounts = grow(catCounts, nc + 1);
              catKeys.push(v);
              nc++;
            }
            catCounts[k] = c;
          }
          this.catStart[i] = start;
          this.catSize[i] = nc - start;
          this.catSingletons[i] = singletons;
          if (m.drifts !== undefined) this.noteDrift(i, m.cats, DRIFT_REACH * m.drifts);
          if (m.epochs === true) this.epochs[i] = 1;
        }
        if (m.shapes === null) this.shapeStart[i] = -1;
        else {
          const start = nsh;
          let singletons = 0;
          for (const [h, sn, fs] of m.shapes) {
            if (sn === 1) singletons++;
            let k = start;
            while (k < nsh && shapeHash[k] !== h) k++;
            if (k === nsh) {
              shapeHash = grow(shapeHash, nsh + 1);
              shapeN = grow(shapeN, nsh + 1);
              shapeFieldStart = grow(shapeFieldStart, nsh + 1);
              shapeFieldCount = grow(shapeFieldCount, nsh + 1);
              shapeHash[k] = h;
              nsh++;
            }
            shapeN[k] = sn;
            shapeFieldStart[k] = nf;
            shapeFieldCount[k] = fs.length;
            for (const f of fs) {
              fieldBinStart = grow(fieldBinStart, nf + 1);
              fieldBinEnd = grow(fieldBinEnd, nf + 1);
              onFractions = grow(onFractions, nf + 1);
              fieldBinStart[nf] = nb;
              binMag = grow(binMag, nb + f.bins.length);
              binCount = grow(binCount, nb + f.bins.length);
              const fractions = fractionField(f.bins);
              onFractions[nf] = fractions ? 1 : 0;
              zeros[nf] = fractions ? zerosOf(f.bins) : 0;
              for (const [mag, c] of scaledBins(f.bins, fractions)) {
                binMag[nb] = mag;
                binCount[nb] = c;
                nb++;
              }
              fieldBinEnd[nf] = nb;
              nf++;
            }
          }
          this.shapeStart[i] = start;
          this.shapeSize[i] = nsh - start;
          this.shapeSingletons[i] = singletons;
        }
        i++;
      }
    }
    this.catKeys = catKeys.slice();
    this.catCounts = catCounts.slice(0, nc);
    this.shapeHash = shapeHash.slice(0, nsh);
    this.shapeN = shapeN.slice(0, nsh);
    this.shapeFieldStart = shapeFieldStart.slice(0, nsh);
    this.shapeFieldCount = shapeFieldCount.slice(0, nsh);
    this.fieldBinStart = fieldBinStart.slice(0, nf);
    this.fieldBinEnd = fieldBinEnd.slice(0, nf);
    this.binMag = binMag.slice(0, nb);
    this.binCount = binCount.slice(0, nb);
    this.onFractions = onFractions.slice(0, nf);
    this.fieldTotal = new Float64Array(nf);
    this.fieldLo = new Float64Array(nf);
    this.fieldHi = new Float64Array(nf);
    this.fieldNegatives = new Float64Array(nf);
    this.tailRate = new Float64Array(nf);
    this.tailTop = new Int32Array(nf);
    for (let f = 0; f < nf; f++) {
      const b0 = this.fieldBinStart[f]!;
      const b1 = this.fieldBinEnd[f]!;
      let t = 0;
      for (let b = b0; b < b1; b++) t += this.binCount[b]!;
      // Among all the field's values: a value seen once in 1,000 is as rare with 995 zeros among them.
      this.fieldTotal[f] = t + zeros[f]!;
      let neg = 0;
      // (A field on the fraction scale held none: its magnitudes below 0 are fractions.)
      if (this.onFractions[f] === 0) for (let b = b0; b < b1 && this.binMag[b]! < 0; b++) neg += this.binCount[b]!;
      this.fieldNegatives[f] = neg;
      // The extreme 1% (at least one value) at each end is left out of the range:
      // one outlier in training must not hide the next one.
      const trim = Math.max(1, Math.floor(t * 0.01));
      // A few values set apart from all the others by more than the margin are outliers of the
      // training data (a handful of anomalies in it), not its range: the range is that of the
      // body, and the outliers still count among the values at least as extreme (fieldSurprise).
      const cap = Math.max(1, Math.floor(t * OUTLIER_SHARE));
      let lo = b0;
      let hi = b1;
      for (let acc = 0, k = b1 - 1; k > lo; k--) {
        acc += this.binCount[k]!;
        if (acc > cap) break;
        if (this.binMag[k]! - this.binMag[k - 1]! > MARGIN_DECADES) hi = k;
      }
      for (let acc = 0, k = lo; k < hi - 1; k++) {
        acc += this.binCount[k]!;
        if (acc > cap) break;
        if (this.binMag[k + 1]! - this.binMag[k]! > MARGIN_DECADES) lo = k + 1;
      }
      this.fieldLo[f] = this.edge(lo, hi, trim, 1);
      this.fieldHi[f] = this.edge(lo, hi, trim, -1);
      // The upper tail's fall per bin, from the most frequent bin to the highest.
      this.tailRate[f] = NaN;
      if (this.onFractions[f] === 0 && b1 - b0 >= 2) {
        let mode = b0;
        for (let b = b0; b < b1; b++) if (this.binCount[b]! >= this.binCount[mode]!) mode = b;
        let top = b1 - 1;
        while (top > mode && this.binCount[top]! < TAIL_MIN) top--;
        this.tailTop[f] = top;
        if (mode < top && this.binCount[top]! >= TAIL_MIN) {
          const steps = (this.binMag[top]! - this.binMag[mode]!) * BINS_PER_DECADE;
          this.tailRate[f] = Math.min(TAIL_RATE_CAP, Math.log(this.binCount[mode]! / this.binCount[top]!) / steps);
        }
      }
    }
  }

  get size(): number {
    return this.pos.length;
  }

  /** Notes slot i's categories' shape and range widened by `reach`, when they are one number of one shape. */
  private noteDrift(i: number, cats: ReadonlyArray<readonly [string, number]>, reach: number): void {
    let shape = NaN;
    let lo = Infinity;
    let hi = -Infinity;
    for (const [v] of cats) {
      const h = scanValue(v);
      if (fieldCount !== 1 || (h !== shape && !Number.isNaN(shape))) return;
      shape = h;
      lo = Math.min(lo, fields[0]!);
      hi = Math.max(hi, fields[0]!);
    }
    // (A reading written with fewer decimals is no further: 1e-9 of the value.)
    const slack = 1e-9 * Math.max(Math.abs(lo), Math.abs(hi));
    this.driftShape[i] = shape;
    this.driftLo[i] = lo - reach - slack;
    this.driftHi[i] = hi + reach + slack;
  }

  /**
   * Whether a value new to drifting slot i (the one just scanned, of shape `h`) continues its
   * drift: its shape, and its number within DRIFT_REACH of the largest steps training saw beyond
   * the values seen. Beyond that it is a new category.
   */
  private continuesDrift(i: number, h: number): boolean {
    if (h !== this.driftShape[i] || fieldCount !== 1) return false;
    const x = fields[0]!;
    return x >= this.driftLo[i]! && x <= this.driftHi[i]!;
  }

  private edge(b0: number, b1: number, trim: number, dir: 1 | -1): number {
    const n = b1 - b0;
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const i = dir === 1 ? b0 + k : b1 - 1 - k;
      acc += this.binCount[i]!;
      if (acc > trim) return this.binMag[i]! - dir * 0.125;
    }
    // An empty histogram: never used (surprise() returns 0 first).
    return dir === 1 ? this.binMag[b0]! : this.binMag[b1 - 1]!;
  }

  /**
   * The shape of a value that slot i never held a value of (value-shape.ts: a node `gpu06` where
   * there were `cn077`, `cn[012-015]`), NaN when it held one or keeps no shapes.
   */
  unseenShape(i: number, value: string): number {
    const ss = this.shapeStart[i]!;
    if (ss < 0) return NaN;
    const h = scanValue(value);
    const end = ss + this.shapeSize[i]!;
    for (let s = ss; s < end; s++) if (this.shapeHash[s] === h || this.shapeHash[s] === otherAddressHash) return NaN;
    return h;
  }

  /** The one value the slot held in training (a constant: a version, a mode, a setting), or undefined. */
  constantOf(slot: number): string | undefined {
    return this.catStart[slot]! >= 0 && this.catSize[slot] === 1 ? this.catKeys[this.catStart[slot]!] : undefined;
  }

  /** Whether the slot is free-form (took too many distinct values to remember them). */
  freeForm(slot: number): boolean {
    return this.catStart[slot]! < 0;
  }

  /** The failure terms of this slot's quoted texts and how routine each was (undefined: none). */
  termsOf(slot: number): ReadonlyMap<string, number> | undefined {
    return this.slotTerms.get(slot);
  }

  /** How routine a failure term was in this slot's quoted texts in training (0: never there). */
  termRoutine(slot: number, term: string): number {
    return this.slotTerms.get(slot)?.get(term) ?? 0;
  }

  /** Count of a categorical value in training (0 when unseen or the slot is free-form). */
  countOf(slot: number, value: string): number {
    const start = this.catStart[slot]!;
    if (start < 0) return 0;
    const end = start + this.catSize[slot]!;
    for (let k = start; k < end; k++) if (this.catKeys[k] === value) return this.catCounts[k]!;
    return 0;
  }

  /**
   * Surprise (nats, 0 = ordinary) of a value: a new value in a slot that took
   * few (Good-Turing: a new one has probability about (singletons + 1) /
   * (n + 2)); a new shape (text where there were always numbers); a number
   * far outside the range of its position within the value.
   */
  surprise(slot: number, value: string): number {
    const n = this.n[slot]!;
    if (n < MIN_OBSERVATIONS) return 0;
    const cs = this.catStart[slot]!;
    let best = 0;
    if (cs >= 0) {
      const size = this.catSize[slot]!;
      const end = cs + size;
      for (let k = cs; k < end; k++) if (this.catKeys[k] === value) return 0;
      // A new epoch (a restarted process's id) is no news, and a gauge's next reading is new, not
      // unusual: their numbers are judged below.
      if (this.epochs[slot] === 1) best = 0;
      else if (!Number.isNaN(this.driftShape[slot]!) && this.continuesDrift(slot, scanValue(value))) best = 0;
      else best = Math.log((n + 2) / (this.catSingletons[slot]! + 1)) - 0.5 * Math.log(1 + size) + (size <= FEW_VALUES ? FEW_VALUES_BONUS : 0);
    }
    const ss = this.shapeStart[slot]!;
    if (ss >= 0) {
      const size = this.shapeSize[slot]!;
      const h = scanValue(value);
      let s = ss;
      const end = ss + size;
      while (s < end && this.shapeHash[s] !== h) s++;
      // An IPv4 address of the other kind than this one (value-shape.ts addressKind): where the slot
      // held none of this kind, a public one where there were only private ones is a new kind, its
      // numbers judged as theirs were; a private one where there were public ones is as ordinary as
      // they were, also when a few private ones were there too (health checks), by the kind that
      // finds it more ordinary.
      let other = end;
      if (otherAddressHash !== 0) {
        const otherHash = otherAddressHash;
        const isPublic = publicAddress;
        other = ss;
        while (other < end && this.shapeHash[other] !== otherHash) other++;
        if (s === end) {
          if (isPublic && other < end) best = Math.max(best, shapeRarity(n, this.shapeSingletons[slot]!, size));
          s = other;
          other = end;
        } else if (isPublic) other = end;
      }
      if (s === end) {
        if (!(digitsOnlyId(value) && this.mostlyShape(slot, ss, end, HASH_HEX))) {
          best = Math.max(best, shapeRarity(n, this.shapeSingletons[slot]!, size));
        }
      } else if (this.shapeN[s]! < MIN_OBSERVATIONS) {
        // A shape seen too seldom for its numbers to be judged: as rare as it was, as a new shape
        // is (a switch's `TenGigabitEthernet2/1/1`, once in 2,019 state changes of its
        // `GigabitEthernet3/0/40`s, flapping 26 times), fading to nothing where its numbers
        // begin to be judged.
        const k = this.shapeN[s]!;
        best = Math.max(best, (shapeRarity(n, k, size) * (MIN_OBSERVATIONS - k)) / MIN_OBSERVATIONS);
      } else {
        // Durations and sizes by a narrower margin than other numbers (UNIT_VALUE_MARGIN).
        const margin = this.units[slot] !== 0 ? UNIT_VALUE_MARGIN : MARGIN_DECADES;
        let x = this.numbersSurprise(s, margin);
        if (other < end) x = Math.min(x, this.numbersSurprise(other, margin));
        // A duration or a size in a unit the slot never wrote, above every value it held (Go's
        // `3.4s` where an apply always took 100-250 ms): a new kind of value, as it was when the
        // unit made its shape, however near the range its number in the slot's unit.
        const units = scannedUnits;
        if (x === 0 && (units & ~this.units[slot]!) !== 0 && this.aboveRange(s, UNIT_MARGIN_DECADES)) {
          x = shapeRarity(n, this.shapeSingletons[slot]!, size);
        }
        if (x > best) best = x;
      }
    }
    return Math.min(MAX_SURPRISE, best) * (n / (n + 10));
  }

  /** How far the last scanned value's numbers are outside those of shape s (0 for a shape seen too seldom to say). */
  private numbersSurprise(s: number, margin: number): number {
    if (this.shapeN[s]! < MIN_OBSERVATIONS) return 0;
    const f0 = this.shapeFieldStart[s]!;
    // A quantity is judged by its tail too.
    const byTail = quantityFields();
    const k = Math.min(fieldCount, this.shapeFieldCount[s]!);
    let best = 0;
    for (let i = 0; i < k; i++) {
      let x = this.fieldSurprise(f0 + i, fields[i]!, margin);
      if ((byTail & (1 << i)) !== 0) x = Math.max(x, this.tailSurprise(f0 + i, fields[i]!));
      if (x > best) best = x;
    }
    return best;
  }

  /**
   * How rare a number above field f's highest bin is, by its upper tail (TAIL_MIN): the values
   * expected at or above it, the count of the bin the tail is carried on from (tailTop) falling by
   * the tail's rate per bin, against all the field's values (0 where the field is not judged so, or
   * the number is within TAIL_FROM bins of the highest bin).
   */
  private tailSurprise(f: number, x: number): number {
    const rate = this.tailRate[f]!;
    if (Number.isNaN(rate) || x <= 0) return 0;
    const b1 = this.fieldBinEnd[f]!;
    const top = this.tailTop[f]!;
    const mag = magnitude(x);
    if ((mag - this.binMag[b1 - 1]!) * BINS_PER_DECADE < TAIL_FROM) return 0;
    const steps = (mag - this.binMag[top]!) * BINS_PER_DECADE;
    const expected = (this.binCount[top]! * Math.exp(-rate * steps)) / (1 - Math.exp(-rate));
    return Math.max(0, Math.log((this.fieldTotal[f]! + 1) / (expected + 1)));
  }

  /** Whether one of the last scanned value's numbers is more than `margin` decades above all those of its place in shape s. */
  private aboveRange(s: number, margin: number): boolean {
    const f0 = this.shapeFieldStart[s]!;
    const k = Math.min(fieldCount, this.shapeFieldCount[s]!);
    for (let i = 0; i < k; i++) {
      const f = f0 + i;
      if (this.fieldBinEnd[f] === this.fieldBinStart[f]) continue;
      const x = fields[i]!;
      const mag = this.onFractions[f] === 1 ? (x > 0 ? Math.log10(x) : -Infinity) : magnitude(x);
      if (mag > this.fieldHi[f]! + margin) return true;
    }
    return false;
  }

  /** Whether the slot's values mostly had shape h. */
  private mostlyShape(slot: number, start: number, end: number, h: number): boolean {
    for (let s = start; s < end; s++) if (this.shapeHash[s] === h) return this.shapeN[s]! * 2 > this.n[slot]!;
    return false;
  }

  /**
   * Beyond the trimmed range by more than the margin: about (T + 1) / (n + 1)
   * of training values were at least as extreme (T: those past the margin
   * line), plus PER_DECADE per decade further out.
   */
  private fieldSurprise(f: number, x: number, margin: number): number {
    const b0 = this.fieldBinStart[f]!;
    const b1 = this.fieldBinEnd[f]!;
    if (b1 === b0) return 0;
    const total = this.fieldTotal[f]!;
    const lo = this.fieldLo[f]!;
    const hi = this.fieldHi[f]!;
    // A negative number where there never was one: Good-Turing again (about
    // 1 / (n + 1)), times a prior, because software writes error codes (-1),
    // overflows and clock steps this way far more often than new routine values.
    const sign = x < 0 && this.fieldNegatives[f] === 0 ? Math.log(total + 1) + NEGATIVE_PRIOR : 0;
    let mag: number;
    if (this.onFractions[f] === 1) {
      // Zeros are not on the fraction scale: nothing took time, nothing to compare.
      if (x <= 0) return sign;
      mag = Math.log10(x);
    } else mag = magnitude(x);
    const beyond = mag > hi ? mag - hi : mag < lo ? lo - mag : 0;
    if (beyond <= margin) return sign;
    // A large number that never changed is an identifier (a peer or cluster id), not a
    // quantity: how far a new one is from it means nothing (188978561024 -> 3 is just a new
    // id), so it is as surprising as any new value. A small constant (always 0, always 64)
    // is a quantity, and 0 -> 5,000,000 keeps its distance.
    if (hi - lo <= SINGLE_BIN && lo >= ID_MAGNITUDE) return Math.max(sign, Math.log(total + 1));
    let t = 0;
    const up = mag > hi;
    for (let i = b0; i < b1; i++) {
      const m = this.binMag[i]!;
      if (up ? m >= mag - margin : m <= mag + margin) t += this.binCount[i]!;
    }
    // Zero is no order of magnitude: on the log scale it is as far below a slot of megabytes
    // (counted in bytes) as it is below one of milliseconds, and a routine 1% of `0 MB` among them
    // was 17 nats. It is as rare as the zeros (and small numbers) the slot held, or as a value
    // never seen.
    if (x === 0) return Math.max(sign, Math.log((total + 1) / (t + 1)));
    return Math.max(sign, Math.log((total + 1) / (t + 1)) + PER_DECADE * (beyond - margin));
  }
}
