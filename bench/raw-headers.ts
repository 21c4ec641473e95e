// The benchmark's lines as the systems wrote them (`quality.js --as raw`): each
// message with the header its raw `.log` line had (timestamp, level, thread,
// component), as `score` and the daemon get whole lines. Injected lines get a
// header in the host's own format:
// - a value anomaly (a known message with an odd value): the header of the
//   last line of the same message, as its own logger would write it;
// - a failure message: the header of the line before it, at the system's
//   error level (real software writes its failures at error level, and a
//   declared INFO would halve the weight of their words);
// - another system's line: the header of the line before it, as it is.

import { templateMatchers, type Dataset } from './anomaly-data.js';
import { withLevel } from '../src/model/level-word.js';

/** The error level in the spelling of a system's level `level` (INFO -> ERROR, Info -> Error, I -> E); null if none. */
function errorSpelling(level: string): string | null {
  if (level === '') return null;
  if (level.length === 1) return 'E';
  if (level === level.toUpperCase()) return 'ERROR';
  if (level === level.toLowerCase()) return 'error';
  return 'Error';
}

/** The header with its level word (the first whole-word occurrence of `level`) replaced by `to`. */
function replaceLevel(header: string, level: string, to: string): string {
  let at = header.indexOf(level);
  const isLetter = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
  while (at >= 0 && (isLetter(header[at - 1]) || isLetter(header[at + level.length]))) at = header.indexOf(level, at + 1);
  return at < 0 ? header : header.slice(0, at) + to + header.slice(at + level.length);
}

/** What a line is given in front of its message: its raw line's whole header, or its level only. */
export type Prefix = 'header' | 'level';

/**
 * The sequences (training, then scored lines: one stream) with headers, or (`level`) with the
 * level word only, as a daemon reading it from a field of its own (LEVEL_FIELD) puts it in front of
 * the message. A message the system wrote several times takes its raw lines' headers in file order.
 */
export function withHeaders(ds: Dataset, others: readonly Dataset[], seqs: ReadonlyArray<readonly string[]>, prefix: Prefix = 'header'): string[][] {
  const at = new Map<string, number[]>();
  ds.lines.forEach((l, i) => {
    const is = at.get(l);
    if (is === undefined) at.set(l, [i]);
    else is.push(i);
  });
  const templates = [...new Set(ds.templates)];
  const matchers = templateMatchers(templates);
  const foreign = new Set(others.flatMap((o) => o.lines));
  const lastOfTemplate = new Map<string, number>();
  const used = new Map<string, number>();
  let last = Math.max(0, ds.headers.findIndex((h) => h !== ''));
  // The header of raw line i, with another level where one is given; or that level alone, as withLevel writes it.
  const of = (i: number, level = ds.levels[i]!): string => {
    if (prefix === 'level') return withLevel('', level);
    return level === ds.levels[i] ? ds.headers[i]! : replaceLevel(ds.headers[i]!, ds.levels[i]!, level);
  };
  const headerOf = (line: string): string => {
    const is = at.get(line);
    if (is !== undefined) {
      const k = used.get(line) ?? 0;
      used.set(line, k + 1);
      const i = is[k % is.length]!;
      if (ds.headers[i] !== '') {
        last = i;
        lastOfTemplate.set(ds.templates[i]!, i);
      }
      return of(last);
    }
    const other = foreign.has(line);
    const t = other ? -1 : matchers.findIndex((re) => re.test(line));
    if (t >= 0) {
      const i = lastOfTemplate.get(templates[t]!) ?? ds.templates.findIndex((x, j) => x === templates[t] && ds.headers[j] !== '');
      return of(i >= 0 ? i : last);
    }
    const to = other ? null : errorSpelling(ds.levels[last]!);
    return to === null ? of(last) : of(last, to);
  };
  return seqs.map((seq) => seq.map((line) => headerOf(line) + line));
}
