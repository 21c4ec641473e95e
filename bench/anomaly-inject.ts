// Builds one benchmark scenario: a seeded 70/30 split of a system's lines,
// with anomalies injected into the scored 30% (and, for the contaminated
// variant, into the training 70% too, including a burst of one failure line).

import { Rng, isErrorLevel, templateMatchers, type Dataset } from './anomaly-data.js';
import { failureGenerators } from './anomaly-failures.js';

export type Kind = 'failure' | 'foreign' | 'value' | 'burst-repeat';

export interface Scenario {
  train: string[];
  /**
   * Scored lines in order; `kind` is null for the system's own lines, and
   * `sourceError` is true for those of them the system itself logged at
   * error level or worse (see isErrorLevel): real failures, not clean lines.
   */
  test: Array<{ line: string; kind: Kind | null; sourceError: boolean }>;
  /** The failure line repeated in the contaminated training data, if any. */
  burstLine: string | null;
}

const TEST_RATE = 0.04;
const TRAIN_CONTAMINATION = 0.03;
const BURST_COPIES = 50;
const BURST_WINDOW = 15;
const BURST_IN_TEST = 3;

interface SlotSamples {
  template: string;
  parts: string[];
  re: RegExp;
  values: string[][];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Slot values of the training lines, per ground-truth template. */
function slotSamples(ds: Dataset, trainIdx: readonly number[]): SlotSamples[] {
  const by = new Map<string, SlotSamples>();
  for (const i of trainIdx) {
    const t = ds.templates[i]!;
    if (t.indexOf('<*>') < 0) continue;
    let s = by.get(t);
    if (s === undefined) {
      const parts = t.split('<*>');
      s = { template: t, parts, re: new RegExp('^' + parts.map(escapeRe).join('(.*?)') + '$', 's'), values: [] };
      by.set(t, s);
    }
    const m = s.re.exec(ds.lines[i]!);
    if (m !== null) s.values.push(m.slice(1));
  }
  return [...by.values()].filter((s) => s.values.length >= 10);
}

const NUM = /^-?\d+(\.\d+)?$/;
const WORD_VALUES = ['UNKNOWN', 'null', 'FAILED', 'KILLED', 'none', 'ERROR'];

/**
 * A known message with one value unlike any seen for it in training: a number
 * orders of magnitude outside the observed range (or negative where it never
 * was), or a new value in a slot that only ever took a few values.
 */
function valueAnomaly(samples: SlotSamples[], r: Rng): string | null {
  for (let attempt = 0; attempt < 20; attempt++) {
    const s = r.pick(samples);
    const slots = s.parts.length - 1;
    const candidates: Array<{ k: number; make: () => string }> = [];
    for (let k = 0; k < slots; k++) {
      const vals = s.values.map((v) => v[k]!);
      const distinct = new Set(vals);
      if (vals.every((v) => NUM.test(v))) {
        const nums = vals.map(Number);
        const max = Math.max(...nums);
        const min = Math.min(...nums);
        candidates.push({
          k,
          make: () => {
            const roll = r.next();
            if (roll < 0.5) return String(Math.round(Math.max(Math.abs(max), 10) * 10 ** r.int(3, 5) + r.int(0, 999)));
            if (min >= 0 && roll < 0.8) return String(-r.int(1, 999));
            return distinct.size <= 3 && vals.length >= 20 ? String(max + r.int(7, 40)) : String(Math.round(Math.max(Math.abs(max), 10) * 10 ** 4));
          },
        });
      } else if (distinct.size <= 3 && vals.length >= 20 && vals.every((v) => /^[A-Za-z_]+$/.test(v))) {
        candidates.push({ k, make: () => r.pick(WORD_VALUES.filter((w) => !distinct.has(w))) });
      }
    }
    if (candidates.length === 0) continue;
    const c = r.pick(candidates);
    const base = r.pick(s.values);
    let out = s.parts[0]!;
    for (let k = 0; k < slots; k++) out += (k === c.k ? c.make() : base[k]!) + s.parts[k + 1]!;
    return out;
  }
  return null;
}

export interface Generators {
  failure(): string;
  foreign(): string;
  value(): string | null;
}

export function makeGenerators(ds: Dataset, others: readonly Dataset[], trainIdx: readonly number[], r: Rng): Generators {
  const routine = templateMatchers(ds.templates);
  const isRoutine = (line: string): boolean => routine.some((re) => re.test(line));
  const gens = failureGenerators(ds.name);
  const samples = slotSamples(ds, trainIdx);
  const fresh = (make: () => string): string => {
    for (let i = 0; i < 50; i++) {
      const line = make();
      if (!isRoutine(line)) return line;
    }
    throw new Error(`${ds.name}: cannot generate a non-routine line`);
  };
  return {
    failure: () => fresh(() => r.pick(gens)(r)),
    foreign: () =>
      fresh(() => {
        const o = r.pick(others);
        return o.lines[r.int(0, o.lines.length - 1)]!;
      }),
    value: () => (samples.length === 0 ? null : valueAnomaly(samples, r)),
  };
}

/** Anomalies in the proportions of the benchmark: half failures (some in small bursts), a fifth foreign, the rest values. */
function drawAnomalies(g: Generators, r: Rng, count: number): Array<{ lines: string[]; kind: Kind }> {
  const out: Array<{ lines: string[]; kind: Kind }> = [];
  let n = 0;
  while (n < count) {
    const roll = r.next();
    let ev: { lines: string[]; kind: Kind };
    if (roll < 0.55) {
      const size = r.next() < 0.2 ? r.int(2, 4) : 1;
      const first = g.failure();
      const lines = [first];
      for (let i = 1; i < size; i++) lines.push(g.failure());
      ev = { lines, kind: 'failure' };
    } else if (roll < 0.75) {
      ev = { lines: [g.foreign()], kind: 'foreign' };
    } else {
      const v = g.value();
      ev = v === null ? { lines: [g.failure()], kind: 'failure' } : { lines: [v], kind: 'value' };
    }
    out.push(ev);
    n += ev.lines.length;
  }
  return out;
}

/** Inserts groups of lines at random positions, keeping each group together and the base order intact. */
function insert<T>(base: T[], groups: T[][], r: Rng): T[] {
  const at = groups.map(() => r.int(0, base.length)).sort((a, b) => a - b);
  const out: T[] = [];
  let g = 0;
  for (let i = 0; i <= base.length; i++) {
    while (g < groups.length && at[g] === i) out.push(...groups[g++]!);
    if (i < base.length) out.push(base[i]!);
  }
  return out;
}

export function buildScenario(ds: Dataset, others: readonly Dataset[], seed: number, contaminated: boolean): Scenario {
  const r = new Rng(seed);
  const idx = r.shuffle(ds.lines.map((_, i) => i));
  const cut = Math.round(ds.lines.length * 0.7);
  const trainIdx = idx.slice(0, cut).sort((a, b) => a - b);
  const testIdx = idx.slice(cut).sort((a, b) => a - b);
  const g = makeGenerators(ds, others, trainIdx, r);
  let train = trainIdx.map((i) => ds.lines[i]!);
  let burstLine: string | null = null;
  const testGroups: Array<Array<{ line: string; kind: Kind | null; sourceError: boolean }>> = [];
  if (contaminated) {
    const extra = drawAnomalies(g, r, Math.round(train.length * TRAIN_CONTAMINATION));
    train = insert(train, extra.map((e) => e.lines), r);
    burstLine = g.failure();
    const start = r.int(0, train.length);
    const window = train.slice(start, start + BURST_WINDOW);
    const spots = new Set<number>();
    while (spots.size < BURST_COPIES) spots.add(r.int(0, window.length + BURST_COPIES - 1));
    const mixed: string[] = [];
    let w = 0;
    for (let k = 0; k < window.length + BURST_COPIES; k++) mixed.push(spots.has(k) ? burstLine : window[w++]!);
    train = [...train.slice(0, start), ...mixed, ...train.slice(start + BURST_WINDOW)];
    for (let k = 0; k < BURST_IN_TEST; k++) testGroups.push([{ line: burstLine, kind: 'burst-repeat', sourceError: false }]);
  }
  const clean = testIdx.map((i) => ({ line: ds.lines[i]!, kind: null as Kind | null, sourceError: isErrorLevel(ds.levels[i]!) }));
  const want = Math.round((clean.length * TEST_RATE) / (1 - TEST_RATE)) - testGroups.length;
  for (const e of drawAnomalies(g, r, want)) testGroups.push(e.lines.map((line) => ({ line, kind: e.kind, sourceError: false })));
  return { train, test: insert(clean, testGroups, r), burstLine };
}
