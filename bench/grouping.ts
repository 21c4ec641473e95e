// Grouping accuracy of the template miner on the loghub 2k samples (corrected
// ground truth). The datasets are read in place from ../shared and never
// copied into this repository (research licence).
//
//   npx tsc -p . && node dist/bench/grouping.js [datasetRoot]
//   node dist/bench/grouping.js --files A_structured.csv [B_structured.csv ...]
//
// The second form scores any file in loghub's structured CSV format (columns
// Content and EventId), such as the systems the default configuration was
// never looked at with (HPC, Linux, Mac, OpenStack, Proxifier, HealthApp).

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TemplateMiner } from '../src/model/miner.js';
import { tokenize, compileMasks } from '../src/model/mask.js';
import { learnAll } from '../src/model/header.js';

export const DATASETS = ['HDFS', 'Hadoop', 'Spark', 'Zookeeper', 'OpenSSH', 'Apache', 'Thunderbird', 'Windows', 'Android'];

/** Drain (logpai/logparser) on the same corrected files: [tuned per dataset, one generic config]. */
export const DRAIN: Record<string, [number, number]> = {
  HDFS: [0.9975, 0.9975],
  Hadoop: [0.9475, 0.963],
  Spark: [0.92, 0.9225],
  Zookeeper: [0.9665, 0.9665],
  OpenSSH: [0.789, 0.7195],
  Apache: [1, 1],
  Thunderbird: [0.955, 0.954],
  Windows: [0.997, 0.5695],
  Android: [0.8305, 0.807],
};

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface Labeled {
  content: string[];
  eventId: string[];
}

export function loadDataset(root: string, name: string): Labeled | null {
  const file = join(root, name, `${name}_2k.log_structured_corrected.csv`);
  return existsSync(file) ? loadStructured(file) : null;
}

/** Content and EventId of a loghub structured CSV file. */
export function loadStructured(file: string): Labeled {
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const header = rows[0] ?? [];
  const ci = header.indexOf('Content');
  const ei = header.indexOf('EventId');
  if (ci < 0 || ei < 0) throw new Error(`${file}: missing Content or EventId column`);
  const content: string[] = [];
  const eventId: string[] = [];
  for (const r of rows.slice(1)) {
    if (r.length <= Math.max(ci, ei)) continue;
    content.push(r[ci]!);
    eventId.push(r[ei]!);
  }
  return { content, eventId };
}

/**
 * The dataset's lines as written (the `.log` file, headers included), when
 * they pair one to one with the structured file's rows; else null.
 */
export function rawLines(root: string, name: string, expected: number): string[] | null {
  const file = join(root, name, `${name}_2k.log`);
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  return lines.length === expected ? lines : null;
}

/** Share of lines whose predicted group holds exactly the lines of their true group. */
export function groupingAccuracy(predicted: readonly (string | number)[], truth: readonly string[]): number {
  const byTruth = new Map<string, number[]>();
  const byPred = new Map<string | number, number[]>();
  truth.forEach((t, i) => {
    (byTruth.get(t) ?? byTruth.set(t, []).get(t)!).push(i);
    const p = predicted[i]!;
    (byPred.get(p) ?? byPred.set(p, []).get(p)!).push(i);
  });
  let correct = 0;
  for (const lines of byTruth.values()) {
    const p = byPred.get(predicted[lines[0]!]!)!;
    if (p.length === lines.length && lines.every((i) => predicted[i] === predicted[lines[0]!])) correct += lines.length;
  }
  return correct / truth.length;
}

/** A default miner that learned the lines as training does: header first (header.ts). */
export function learnedMiner(lines: Iterable<string>): TemplateMiner {
  return learnAll(new TemplateMiner(), lines);
}

/** Trains one default miner on the lines, then groups every line by the template it matches. */
export function groupLines(lines: readonly string[]): { groups: number[]; templates: number } {
  const miner = learnedMiner(lines);
  // A line matching nothing is a group of its own.
  return { groups: lines.map((l, i) => miner.match(l)?.id ?? -1 - i), templates: miner.size };
}

export async function runGroupingBenchmark(
  datasetRoot: string,
): Promise<{ perDataset: Record<string, number>; mean: number } | null> {
  if (!existsSync(datasetRoot)) {
    console.log(`dataset folder ${datasetRoot} not found; skipping grouping benchmark`);
    return null;
  }
  const perDataset: Record<string, number> = {};
  const all: string[] = [];
  const loaded: Array<[string, Labeled]> = [];
  const rows: string[] = [
    '| dataset | ours | Drain tuned | Drain generic | templates (ours / truth) | ours on raw lines | templates on raw lines |',
    '|---|---|---|---|---|---|---|',
  ];
  const rawAccs: number[] = [];
  for (const name of DATASETS) {
    const d = loadDataset(datasetRoot, name);
    if (d === null) {
      console.log(`${name}: not found, skipped`);
      continue;
    }
    const { groups, templates } = groupLines(d.content);
    const acc = groupingAccuracy(groups, d.eventId);
    perDataset[name] = acc;
    all.push(...d.content);
    loaded.push([name, d]);
    const [tuned, generic] = DRAIN[name]!;
    const truth = new Set(d.eventId).size;
    const raw = rawLines(datasetRoot, name, d.content.length);
    let rawCells = '- | -';
    if (raw !== null) {
      const r = groupLines(raw);
      const rawAcc = groupingAccuracy(r.groups, d.eventId);
      rawAccs.push(rawAcc);
      rawCells = `${rawAcc.toFixed(4)} | ${r.templates}`;
    }
    rows.push(`| ${name} | ${acc.toFixed(4)} | ${tuned.toFixed(4)} | ${generic.toFixed(4)} | ${templates} / ${truth} | ${rawCells} |`);
  }
  const names = Object.keys(perDataset);
  if (names.length === 0) return null;
  const mean = names.reduce((s, n) => s + perDataset[n]!, 0) / names.length;
  const mean2 = (i: 0 | 1): number => names.reduce((s, n) => s + DRAIN[n]![i], 0) / names.length;
  const rawMean = rawAccs.length === 0 ? '-' : (rawAccs.reduce((a, b) => a + b, 0) / rawAccs.length).toFixed(4);
  rows.push(`| mean | ${mean.toFixed(4)} | ${mean2(0).toFixed(4)} | ${mean2(1).toFixed(4)} | | ${rawMean} | |`);
  console.log(rows.join('\n'));
  console.log(
    'raw lines: the same lines as the system wrote them (timestamps, levels, host names, components before the message), ' +
      'as `score` and the daemon get them when documents hold whole lines; same ground truth.',
  );
  console.log(sharedMiner(loaded));
  console.log(speed(all));
  return { perDataset, mean };
}

// The same with one miner learning all datasets, as a daemon would for a
// host running several systems: templates must not bleed across systems.
function sharedMiner(sets: ReadonlyArray<[string, Labeled]>): string {
  const miner = new TemplateMiner();
  for (const [, d] of sets) for (const l of d.content) miner.add(l);
  const accs = sets.map(([, d]) => groupingAccuracy(d.content.map((l, i) => miner.match(l)?.id ?? -1 - i), d.eventId));
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  return `one miner shared by all ${sets.length} datasets: mean ${mean.toFixed(4)}, lowest ${Math.min(...accs).toFixed(4)}, ${miner.size} templates`;
}

// Throughput on the benchmark lines, repeated so that timing is not dominated
// by warm-up; a fresh miner per round so that learning is included.
function speed(lines: readonly string[]): string {
  const rounds = 5;
  const masks = compileMasks();
  const time = (f: () => void): number => {
    f();
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) f();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const tTok = time(() => {
    for (const l of lines) tokenize(l, masks);
  });
  const tAdd = time(() => {
    const m = new TemplateMiner();
    for (const l of lines) m.add(l);
  });
  const trained = new TemplateMiner();
  for (const l of lines) trained.add(l);
  const tMatch = time(() => {
    for (const l of lines) trained.match(l);
  });
  const n = lines.length * rounds;
  const fmt = (t: number): string => `${Math.round(n / t).toLocaleString('en-US')} lines/s`;
  return `throughput (one core, ${lines.length} lines x ${rounds}): mask+tokenize ${fmt(tTok)}; mask+tokenize+add ${fmt(tAdd)}; mask+tokenize+match ${fmt(tMatch)}`;
}

const here = dirname(fileURLToPath(import.meta.url));
// dist/bench/grouping.js -> repo root is two levels up; bench/grouping.ts (ts-node) one.
const repoRoot = existsSync(join(here, '..', 'package.json')) ? join(here, '..') : join(here, '..', '..');

/** Grouping accuracy of one default miner per file. */
function runFiles(files: readonly string[]): void {
  const rows = ['| file | lines | grouping accuracy | templates (ours / truth) |', '|---|---|---|---|'];
  const accs: number[] = [];
  for (const file of files) {
    const d = loadStructured(file);
    const { groups, templates } = groupLines(d.content);
    const acc = groupingAccuracy(groups, d.eventId);
    accs.push(acc);
    rows.push(`| ${basename(file)} | ${d.content.length} | ${acc.toFixed(4)} | ${templates} / ${new Set(d.eventId).size} |`);
  }
  if (accs.length > 0) rows.push(`| mean | | ${(accs.reduce((a, b) => a + b, 0) / accs.length).toFixed(4)} | |`);
  console.log(rows.join('\n'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--files') runFiles(process.argv.slice(3));
  else if (process.argv[2]?.startsWith('-')) {
    const usage = 'usage: node dist/bench/grouping.js [DATASETS_DIR] | --files STRUCTURED_CSV...\n';
    if (process.argv[2] === '--help' || process.argv[2] === '-h') process.stdout.write(usage);
    else {
      process.stderr.write(`unknown option: ${process.argv[2]}\n${usage}`);
      process.exitCode = 2;
    }
  } else {
    const root = process.argv[2] ?? resolve(repoRoot, '..', 'shared', 'datasets', 'loghub-2k');
    runGroupingBenchmark(root).catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
  }
}
