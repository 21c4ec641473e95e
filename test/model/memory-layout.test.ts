// The compact structures a loaded model scores with (read-only miner, packed
// slot table) must answer exactly as the plain ones they replace.
import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { TemplateMiner } from '../../src/model/miner.js';
import { compileMasks, tokenize } from '../../src/model/mask.js';
import { SlotAccumulator, SlotTable, magnitude, MARGIN_DECADES, PER_DECADE, type FieldModel, type SlotModel } from '../../src/model/slots.js';
import { scanValue, fields, fieldCount } from '../../src/model/value-shape.js';

/** Deterministic letter-only words (digits would be masked). */
function word(i: number): string {
  let s = '';
  let x = i + 1;
  while (x > 0) {
    s += String.fromCharCode(97 + (x % 26));
    x = Math.floor(x / 26);
  }
  return `w${s}`;
}

describe('TemplateMiner: read-only load', () => {
  it('matches every line like a full load, through leaves, the index, enumerations and the <*> child', () => {
    const lines: string[] = [];
    // Many groups under one leaf (searched through the index beyond 24 groups).
    for (let i = 0; i < 40; i++) lines.push(`start job ${word(5 * i)} ${word(5 * i + 1)} ${word(5 * i + 2)} ${word(5 * i + 3)} ${word(5 * i + 4)}`);
    // Keys beyond maxChildren share a <*> child.
    for (let i = 0; i < 12; i++) lines.push(`${word(200 + i)} service stopped after error`);
    // Enumerated positions and positions that became variables.
    for (let i = 0; i < 60; i++) lines.push(`worker ${['idle', 'busy', 'dead'][i % 3]} state for ${word(300 + i)} took ${i}ms`);
    for (let i = 0; i < 30; i++) lines.push(`Accepted password for ${word(400 + (i % 7))} from 10.0.0.${i} port ${i} ssh2`);
    const a = new TemplateMiner({ maxChildren: 5, maxTemplates: 200 });
    for (const l of lines) a.add(l);
    const snap = JSON.parse(JSON.stringify(a.toJSON())) as unknown;
    const full = TemplateMiner.fromJSON(snap);
    const ro = TemplateMiner.fromJSON(snap, true);
    expect(ro.templates()).to.deep.equal(full.templates());
    const probes = [
      ...lines,
      ...lines.map((l) => l.replace(/^(\S+) (\S+)/, '$2 $1')),
      ...lines.map((l) => l.replace(/ (\S+)$/, ' other')),
      'start job wx wy wz wb wc',
      `start job ${word(5)} ${word(6)} ${word(7)} wq wr`,
      'start job',
      '',
      'zzz service stopped after error',
      'worker asleep state for wq took 5ms',
    ];
    const masks = compileMasks([]);
    for (const l of probes) {
      const want = full.match(l);
      expect(ro.match(l), l).to.deep.equal(want);
      expect(ro.matchId(tokenize(l, masks)), l).to.equal(want === null ? -1 : want.id);
    }
    expect(() => ro.add('start job a b c d e')).to.throw(/read-only/);
    expect(() => ro.toJSON()).to.throw(/read-only/);
  });
  it('gives every loaded group the same hidden class (a class of its own per group cost about 0.4 KB each)', () => {
    // V8's own check; the flag only lets this one function, compiled after it, call it.
    setFlagsFromString('--allow-natives-syntax');
    const sameClass = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
    const a = new TemplateMiner({ maxTemplates: 500 });
    for (let i = 0; i < 300; i++) a.add(`${word(i % 40)} request ${word(i)} took ${i}ms on node ${i % 3 === 0 ? 'alpha' : 'beta'}`);
    for (let i = 0; i < 50; i++) a.add(`disk ${word(i)} ${['full', 'ok', 'degraded'][i % 3]} at ${i}%`);
    const snap = JSON.parse(JSON.stringify(a.toJSON())) as unknown;
    for (const readOnly of [true, false]) {
      const loaded = TemplateMiner.fromJSON(snap, readOnly) as unknown as { byId: Map<number, { group: object }> };
      const groups = [...new Set([...loaded.byId.values()].map((t) => t.group))];
      expect(groups.length).to.be.above(20);
      const odd = groups.filter((g) => !sameClass(g, groups[0]!)).length;
      expect(odd, `readOnly ${readOnly}`).to.equal(0);
    }
  });
});

// The slot statistics as scored before they were packed (one object per slot
// and per number field), kept here as the reference.
class RefField {
  readonly mags: number[];
  readonly counts: number[];
  readonly total: number;
  readonly lo: number;
  readonly hi: number;
  readonly negatives: number;
  /** Nats per bin the upper tail falls, from the most frequent bin to the highest (NaN: not judged so; since 2026-11-25). */
  readonly tailRate: number;
  constructor(m: FieldModel) {
    this.mags = m.bins.map(([b]) => b / 4);
    this.counts = m.bins.map(([, c]) => c);
    this.total = this.counts.reduce((x, y) => x + y, 0);
    let neg = 0;
    for (let i = 0; i < this.mags.length && this.mags[i]! < 0; i++) neg += this.counts[i]!;
    this.negatives = neg;
    const trim = Math.max(1, Math.floor(this.total * 0.01));
    this.lo = this.edge(trim, 1);
    this.hi = this.edge(trim, -1);
    const top = this.counts.length - 1;
    let mode = 0;
    for (let i = 0; i <= top; i++) if (this.counts[i]! >= this.counts[mode]!) mode = i;
    this.tailRate = mode < top && this.counts[top]! >= 3 ? Math.min(2, Math.log(this.counts[mode]! / this.counts[top]!) / ((this.mags[top]! - this.mags[mode]!) * 4)) : NaN;
  }
  tail(x: number): number {
    if (Number.isNaN(this.tailRate) || x <= 0) return 0;
    const top = this.counts.length - 1;
    const steps = (magnitude(x) - this.mags[top]!) * 4;
    if (steps < 1.5) return 0;
    const expected = (this.counts[top]! * Math.exp(-this.tailRate * steps)) / (1 - Math.exp(-this.tailRate));
    return Math.max(0, Math.log((this.total + 1) / (expected + 1)));
  }
  edge(trim: number, dir: 1 | -1): number {
    const n = this.mags.length;
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const i = dir === 1 ? k : n - 1 - k;
      acc += this.counts[i]!;
      if (acc > trim) return this.mags[i]! - dir * 0.125;
    }
    return dir === 1 ? this.mags[0]! : this.mags[n - 1]!;
  }
  surprise(x: number, margin: number): number {
    if (this.mags.length === 0) return 0;
    const sign = x < 0 && this.negatives === 0 ? Math.log(this.total + 1) + 2 : 0;
    const mag = magnitude(x);
    const beyond = mag > this.hi ? mag - this.hi : mag < this.lo ? this.lo - mag : 0;
    if (beyond <= margin) return sign;
    if (this.hi - this.lo <= 0.25 + 1e-9 && this.lo >= 4.875) return Math.max(sign, Math.log(this.total + 1));
    let t = 0;
    const up = mag > this.hi;
    for (let i = 0; i < this.mags.length; i++) {
      const m = this.mags[i]!;
      if (up ? m >= mag - margin : m <= mag + margin) t += this.counts[i]!;
    }
    // Zero is no order of magnitude (since 2026-11-24).
    if (x === 0) return Math.max(sign, Math.log((this.total + 1) / (t + 1)));
    return Math.max(sign, Math.log((this.total + 1) / (t + 1)) + PER_DECADE * (beyond - margin));
  }
}

class RefSlot {
  readonly cats: Map<string, number> | null;
  readonly catSingletons: number;
  readonly shapes: Map<number, { n: number; fields: RefField[] }> | null;
  readonly shapeSingletons: number;
  constructor(readonly m: SlotModel) {
    this.cats = m.cats === null ? null : new Map(m.cats);
    this.catSingletons = m.cats === null ? 0 : m.cats.filter(([, c]) => c === 1).length;
    this.shapes = m.shapes === null ? null : new Map(m.shapes.map(([h, n, fs]) => [h, { n, fields: fs.map((f) => new RefField(f)) }]));
    this.shapeSingletons = m.shapes === null ? 0 : m.shapes.filter(([, n]) => n === 1).length;
  }
  countOf(value: string): number {
    return this.cats?.get(value) ?? 0;
  }
  surprise(value: string): number {
    const m = this.m;
    if (m.n < 10) return 0;
    const cats = this.cats;
    if (cats !== null && cats.has(value)) return 0;
    let best = 0;
    if (cats !== null) best = Math.log((m.n + 2) / (this.catSingletons + 1)) - 0.5 * Math.log(1 + cats.size) + (cats.size <= 2 ? 1 : 0);
    const shapes = this.shapes;
    if (shapes !== null) {
      const h = scanValue(value);
      const s = shapes.get(h);
      if (s === undefined) best = Math.max(best, Math.log((m.n + 2) / (this.shapeSingletons + 1)) - Math.log(1 + shapes.size));
      // A shape of fewer than 10 values: as rare as it was, fading to nothing at 10 (since 2026-11-25).
      else if (s.n < 10) best = Math.max(best, ((Math.log((m.n + 2) / (s.n + 1)) - Math.log(1 + shapes.size)) * (10 - s.n)) / 10);
      else {
        const k = Math.min(fieldCount, s.fields.length);
        for (let i = 0; i < k; i++) {
          // Numbers written with a unit by a narrower margin (since 2026-11-24).
          let x = s.fields[i]!.surprise(fields[i]!, (m.units ?? 0) !== 0 ? 1.0 : MARGIN_DECADES);
          // A number alone in its value and without a unit by its upper tail too (since 2026-11-25).
          if (fieldCount === 1 && s.fields.length === 1 && (m.units ?? 0) === 0) x = Math.max(x, s.fields[0]!.tail(fields[0]!));
          if (x > best) best = x;
        }
      }
    }
    return Math.min(14, best) * (m.n / (m.n + 10));
  }
}

describe('SlotTable', () => {
  it('scores values exactly as one object per slot did', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const models: SlotModel[] = [];
    const values: string[] = [];
    for (let s = 0; s < 40; s++) {
      const acc = new SlotAccumulator();
      const kind = s % 5;
      const n = 5 + Math.floor(rnd() * 300);
      for (let i = 0; i < n; i++) {
        const v =
          kind === 0 ? ['on', 'off', 'idle'][Math.floor(rnd() * 3)]!
          : kind === 1 ? String(Math.floor(rnd() ** 3 * 100000) - (rnd() < 0.05 ? 50 : 0))
          : kind === 2 ? `${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.0.1:${Math.floor(rnd() * 65536)}`
          : kind === 3 ? `${Math.floor(rnd() * 5000)}ms`
          : `user${Math.floor(rnd() * 40)}`;
        acc.add(v, rnd() < 0.1 ? 3 : 1);
        if (i % 17 === 0) values.push(v);
      }
      models.push(acc.freeze());
    }
    // Hand-made statistics: repeated categories and shapes (the last one wins, as in a Map), empty histograms.
    models.push({ n: 50, cats: [['a', 1], ['b', 5], ['a', 7]], shapes: [[scanValue('12'), 20, [{ bins: [[4, 10], [8, 10]] }]], [scanValue('34'), 30, [{ bins: [] }]]] });
    models.push({ n: 50, cats: null, shapes: [[scanValue('-5'), 40, [{ bins: [[-3, 2], [0, 30], [2, 8]] }]]] });
    // A large constant (an identifier) and a small one (a quantity).
    models.push({ n: 60, cats: null, shapes: [[scanValue('188978561024'), 60, [{ bins: [[45, 60]] }]]] });
    models.push({ n: 60, cats: null, shapes: [[scanValue('64'), 60, [{ bins: [[7, 60]] }]]] });
    // Light upper tails (a CPU's percentages), one of them too thin at its top to be judged by it.
    models.push({ n: 8640, cats: null, shapes: [[scanValue('12'), 8640, [{ bins: [[0, 900], [1, 739], [2, 1879], [3, 1860], [4, 3015], [5, 247]] }]]] });
    models.push({ n: 8640, cats: null, shapes: [[scanValue('12'), 8640, [{ bins: [[0, 900], [1, 739], [2, 1879], [3, 1860], [4, 5259], [5, 2]] }]]] });
    values.push('30', '94', '250', '3', '64000000', 'a', 'b', 'c', '12', '1234567', '-1', '-999999', '7', 'x7y', '', '0', '99999999999', '1.5', 'idle', 'on', 'user3', 'user99');
    const refs = models.map((m) => new RefSlot(m));
    const table = new SlotTable([models.slice(0, 20).map((m, i) => [i, -1, m] as [number, number, SlotModel]), [], models.slice(20).map((m, i) => [i, i % 2, m] as [number, number, SlotModel])]);
    expect(table.size).to.equal(models.length);
    refs.forEach((ref, s) => {
      expect(table.freeForm(s)).to.equal(ref.cats === null);
      expect(table.pos[s]).to.equal(s < 20 ? s : s - 20);
      for (const v of values) {
        expect(table.surprise(s, v), `slot ${s} value ${v}`).to.equal(ref.surprise(v));
        expect(table.countOf(s, v)).to.equal(ref.countOf(v));
      }
    });
  });
});
