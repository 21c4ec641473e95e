// Throughput of the detector (training and scoring, one core) and snapshot
// size, on the benchmark systems' lines with their numbers varied so that
// lines are not verbatim repeats, and on a worst case that fills the
// template cap.

import { ModelTrainer } from '../src/model/trainer.js';
import { Rng, type Dataset } from './anomaly-data.js';

function varied(datasets: readonly Dataset[], total: number, seed: number): string[] {
  const r = new Rng(seed);
  const base = datasets.flatMap((d) => d.lines);
  const out: string[] = [];
  for (let i = 0; i < total; i++) {
    const l = base[i % base.length]!;
    out.push(i < base.length ? l : l.replace(/\d+/g, (d) => String((Number(d.slice(0, 9)) + r.int(0, 999)) % 1e9)));
  }
  return out;
}

/** Lines of ~20,000 distinct shapes (random word sequences), far beyond the template cap. */
function manyShapes(total: number, seed: number): string[] {
  const r = new Rng(seed);
  const words = Array.from({ length: 400 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`);
  const shapes = Array.from({ length: 20000 }, () => Array.from({ length: r.int(4, 12) }, () => r.pick(words)));
  return Array.from({ length: total }, (_, i) => {
    const s = shapes[(i * 7919) % shapes.length]!;
    return `${s.join(' ')} id=${r.int(0, 1e6)} took ${r.int(1, 900)}ms`;
  });
}

function measure(lines: readonly string[]): { train: number; score: number; bytes: number; templates: number } {
  const t0 = process.hrtime.bigint();
  const trainer = new ModelTrainer();
  for (const l of lines) trainer.add(l);
  const model = trainer.finish();
  const t1 = process.hrtime.bigint();
  let sink = 0;
  for (const l of lines) sink += model.score(l).score;
  const t2 = process.hrtime.bigint();
  if (sink < 0) console.log(sink);
  return {
    train: lines.length / (Number(t1 - t0) / 1e9),
    score: lines.length / (Number(t2 - t1) / 1e9),
    bytes: model.serialize().length,
    templates: model.summary().templates,
  };
}

export function runSpeed(datasets: readonly Dataset[], total: number): void {
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  console.log('\n## Speed and model size (one core)\n');
  console.log('| data | lines | training lines/s | scoring lines/s | templates | snapshot |');
  console.log('|---|---|---|---|---|---|');
  measure(varied(datasets, 50_000, 1)); // warm-up
  const rows: Array<[string, string[]]> = [
    ['nine systems, values varied', varied(datasets, total, 2)],
    ['20,000 random shapes (template cap)', manyShapes(total, 3)],
  ];
  for (const [name, lines] of rows) {
    const m = measure(lines);
    console.log(`| ${name} | ${fmt(lines.length)} | ${fmt(m.train)} | ${fmt(m.score)} | ${m.templates} | ${(m.bytes / 1e6).toFixed(2)} MB |`);
  }
}
