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
  /**
   * What the system wrote before each line's message in its raw `.log` file
   * (timestamp, level, component...), or '' where the raw line does not hold
   * the message as it is (a few trimmed lines) or the file is missing.
   */
  headers: string[];
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
  const lines = body.map((r) => r[ci]!);
  return { name, lines, templates: body.map((r) => r[ti]!), levels: body.map((r) => (li < 0 ? '' : r[li]!)), headers: rawHeaders(root, name, lines) };
}

/** The part of each raw line before its message (Dataset.headers). */
export function rawHeaders(root: string, name: string, lines: readonly string[]): string[] {
  const file = join(root, name, `${name}_2k.log`);
  const raw = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  return lines.map((content, i) => {
    const r = (raw[i] ?? '').replace(/\r$/, '');
    const at = content === '' ? -1 : r.lastIndexOf(content.trimEnd());
    return at < 0 ? '' : r.slice(0, at);
  });
}

export { Rng } from '../src/seeded-random.js';

/** Ground-truth templates as full-line regular expressions (to keep injected lines from being routine ones). */
export function templateMatchers(templates: readonly string[]): RegExp[] {
  return [...new Set(templates)].map(
    (t) => new RegExp('^' + t.split('<*>').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?') + '$', 's'),
  );
}
