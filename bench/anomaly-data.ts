// Loading the loghub-2k samples for the quality benchmark, and the seeded
// random numbers every benchmark decision is drawn from.

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from './grouping.js';

export const DATASETS = ['Android', 'Apache', 'HDFS', 'Hadoop', 'OpenSSH', 'Spark', 'Thunderbird', 'Windows', 'Zookeeper'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface Dataset {
  name: DatasetName;
  /** The `Content` column: the message part of each line, in file order. */
  lines: string[];
  /** Ground-truth template of each line (`<*>` = variable). */
  templates: string[];
  /**
   * The severity the system itself declared for each line (the `Level`
   * column: INFO/WARN/ERROR..., notice/error, V/D/I/W/E/F), or '' when the
   * sample has no such column (OpenSSH, Thunderbird).
   */
  levels: string[];
}

/**
 * Source-declared levels that mean "error or worse". A held-out line with one
 * of these is a real failure the system reported, not a routine line: the
 * benchmark counts it neither as clean nor as injected, and reports it apart.
 * WARN (and everything milder) stays clean. The rule uses only what the
 * system wrote in its own header, never the model's vocabulary.
 */
const ERROR_LEVELS: ReadonlySet<string> = new Set(['error', 'err', 'fatal', 'severe', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'e', 'f']);

export function isErrorLevel(level: string): boolean {
  return ERROR_LEVELS.has(level.trim().toLowerCase());
}


export function datasetFile(root: string, name: string): string {
  return join(root, name, `${name}_2k.log_structured_corrected.csv`);
}

export function haveDatasets(root: string): boolean {
  return DATASETS.every((n) => existsSync(datasetFile(root, n)));
}

export function loadDataset(root: string, name: DatasetName): Dataset {
  const rows = parseCsv(readFileSync(datasetFile(root, name), 'utf8'));
  const header = rows[0] ?? [];
  const ci = header.indexOf('Content');
  const ti = header.indexOf('EventTemplate');
  const li = header.indexOf('Level');
  if (ci < 0 || ti < 0) throw new Error(`${name}: no Content/EventTemplate column`);
  const body = rows.slice(1).filter((r) => r.length === header.length);
  return { name, lines: body.map((r) => r[ci]!), templates: body.map((r) => r[ti]!), levels: body.map((r) => (li < 0 ? '' : r[li]!)) };
}

export { Rng } from '../src/seeded-random.js';

/** Ground-truth templates as full-line regular expressions (to keep injected lines from being routine ones). */
export function templateMatchers(templates: readonly string[]): RegExp[] {
  return [...new Set(templates)].map(
    (t) => new RegExp('^' + t.split('<*>').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?') + '$', 's'),
  );
}
