// Realistic log lines for the performance benchmark: the loghub 2k samples (nine systems) with
// every `<*>` of the ground-truth template refilled with a freshly drawn value of the same shape
// (digits -> other digits, hex -> other hex, IPs -> other IPs; words such as user names or
// booleans keep the value the real line had). Lines of all systems are mixed. The dataset is read
// from ../shared/datasets/loghub-2k (or LOGHUB_DIR) and never copied into the repository; when it
// is absent, a small syslog-style generator of our own is used instead and the report says so.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng } from '../src/seeded-random.js';
import { routineLine } from '../test/support/log-lines.js';
import { rawHeaders } from './anomaly-data.js';

export const SYSTEMS = ['Android', 'Apache', 'HDFS', 'Hadoop', 'OpenSSH', 'Spark', 'Thunderbird', 'Windows', 'Zookeeper'] as const;

const REPO_ROOT = resolve(new URL('.', import.meta.url).pathname, '../..');
export const DATASET_DIR = process.env.LOGHUB_DIR ?? resolve(REPO_ROOT, '../shared/datasets/loghub-2k');

/** One piece of a value: kept text, or a run of digits / hex characters drawn afresh. */
type Piece =
  | string
  | { kind: 'digits'; len: number; nonZeroFirst: boolean }
  | { kind: 'hex'; len: number; upper: boolean }
  | { kind: 'ip' };

/** A line shape: literal template text alternating with the pieces of each variable. */
interface Shape {
  parts: string[];
  slots: Piece[][];
  /** What the sample's raw `.log` line has before the message (timestamp, level, component), as it is; '' when unknown. */
  header: string;
}

export interface LineSource {
  /** 'loghub' when the real samples are used, 'fallback' for the syslog-style generator. */
  readonly kind: 'loghub' | 'fallback';
  readonly description: string;
  /** The next line; deterministic for a given seed. */
  next(): string;
}

/**
 * Splits an observed value into kept text and runs to redraw: IPv4 addresses, 0x-prefixed and long
 * (6+) hex numbers, and digit runs (also inside identifiers such as "subdir32" or "blk_-6330").
 */
function plan(value: string): Piece[] {
  const out: Piece[] = [];
  const re = /(\d{1,3}(?:\.\d{1,3}){3})|0[xX]([0-9a-fA-F]+)|([0-9a-fA-F]{6,})|(\d+)/g;
  let last = 0;
  const keep = (to: number): void => {
    if (to > last) out.push(value.slice(last, to));
  };
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) {
    if (m[1] !== undefined) {
      keep(m.index);
      out.push({ kind: 'ip' });
      last = m.index + m[0].length;
    } else if (m[2] !== undefined) {
      keep(m.index + 2);
      out.push({ kind: 'hex', len: m[2].length, upper: /[A-F]/.test(m[2]) });
      last = m.index + m[0].length;
    } else if (m[3] !== undefined && /[0-9]/.test(m[3]) && /[a-fA-F]/.test(m[3])) {
      keep(m.index);
      out.push({ kind: 'hex', len: m[3].length, upper: /[A-F]/.test(m[3]) && !/[a-f]/.test(m[3]) });
      last = m.index + m[0].length;
    } else {
      // Digits alone, or digit runs inside a hex-letter run that is really a word ("added", "c4ff").
      const run = m[0];
      const digits = /[0-9]+/g;
      let d: RegExpExecArray | null;
      while ((d = digits.exec(run)) !== null) {
        keep(m.index + d.index);
        out.push({ kind: 'digits', len: d[0].length, nonZeroFirst: d[0].length > 1 && d[0][0] !== '0' });
        last = m.index + d.index + d[0].length;
      }
    }
  }
  keep(value.length);
  return out.length === 0 ? [''] : out;
}

const HEX = '0123456789abcdef';

function draw(pieces: Piece[], rng: Rng): string {
  let s = '';
  for (const p of pieces) {
    if (typeof p === 'string') s += p;
    else if (p.kind === 'ip') s += `${1 + rng.int(0, 253)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${1 + rng.int(0, 253)}`;
    else if (p.kind === 'digits') {
      for (let i = 0; i < p.len; i++) s += i === 0 && p.nonZeroFirst ? String(1 + rng.int(0, 8)) : String(rng.int(0, 9));
    } else {
      let h = '';
      for (let i = 0; i < p.len; i++) h += HEX[rng.int(0, 15)];
      s += p.upper ? h.toUpperCase() : h;
    }
  }
  return s;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The template's literal parts and the values the real line had in its `<*>` positions. */
function shapeOf(content: string, template: string, header: string): Shape {
  const parts = template.split('<*>');
  if (parts.length > 1) {
    const re = new RegExp(`^${parts.map(escapeRe).join('(.*?)')}$`, 's');
    const m = re.exec(content);
    if (m) return { parts, slots: m.slice(1).map(plan), header };
  }
  // Template and content disagree (or no variables): redraw the digit runs of the content itself.
  return { parts: ['', ''], slots: [plan(content)], header };
}

/** RFC 4180 CSV (quoted fields, doubled quotes); fields are sliced, not built char by char. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field: string;
    if (text[i] === '"') {
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          j = n;
          break;
        }
        if (text[q + 1] === '"') j = q + 2;
        else {
          j = q;
          break;
        }
      }
      field = text.slice(i + 1, j).replace(/""/g, '"');
      i = j + 1;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (text[i] === ',') i++;
    else {
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      rows.push(row);
      row = [];
    }
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

function csvFile(name: string): string {
  return join(DATASET_DIR, name, `${name}_2k.log_structured_corrected.csv`);
}

let cachedShapes: Shape[][] | null = null;

function loadShapes(): Shape[][] | null {
  if (cachedShapes) return cachedShapes;
  if (!SYSTEMS.every((n) => existsSync(csvFile(n)))) return null;
  cachedShapes = SYSTEMS.map((name) => {
    const rows = parseCsv(readFileSync(csvFile(name), 'utf8'));
    const header = rows[0] ?? [];
    const ci = header.indexOf('Content');
    const ti = header.indexOf('EventTemplate');
    if (ci < 0 || ti < 0) throw new Error(`${csvFile(name)}: no Content/EventTemplate column`);
    const body = rows.slice(1).filter((r) => r.length === header.length);
    const headers = rawHeaders(DATASET_DIR, name, body.map((r) => r[ci]!));
    return body.map((r, i) => shapeOf(r[ci]!, r[ti]!, headers[i]!));
  });
  return cachedShapes;
}

/**
 * A deterministic stream of mixed lines. `systems` restricts the mix (default: all nine, each
 * equally likely; within a system, lines follow the sample's own template frequencies).
 * `wholeLines`: each message with the header its sample line had in the system's raw `.log` file
 * (timestamp, level, component; as it is), as a log file holds them; otherwise the message alone,
 * as a document's message field holds it. The same seed draws the same messages either way.
 */
export function lineSource(seed: number, systems?: readonly string[], wholeLines = false): LineSource {
  const shapes = loadShapes();
  if (shapes === null) {
    const r = new Rng(seed);
    return { kind: 'fallback', description: `syslog-style generator (loghub samples not found at ${DATASET_DIR})`, next: () => routineLine(r) };
  }
  const chosen = systems ? shapes.filter((_, i) => systems.includes(SYSTEMS[i]!)) : shapes;
  const rng = new Rng(seed);
  const what = wholeLines ? 'whole lines (raw headers as they are)' : 'messages';
  return {
    kind: 'loghub',
    description: `loghub 2k samples (${systems ? systems.join(', ') : 'nine systems'}): ${what} with variables redrawn`,
    next(): string {
      const sys = chosen[rng.int(0, chosen.length - 1)]!;
      const shape = sys[rng.int(0, sys.length - 1)]!;
      const out: string[] = [wholeLines ? shape.header : '', shape.parts[0]!];
      for (let i = 0; i < shape.slots.length; i++) out.push(draw(shape.slots[i]!, rng), shape.parts[i + 1]!);
      // join() yields a flat string; `+=` would leave a rope of many small pieces per line.
      return out.join('');
    },
  };
}

/** `n` lines in an array (for the parts that must not time line generation); `wholeLines` as for lineSource. */
export function generateLines(seed: number, n: number, wholeLines = false): string[] {
  const src = lineSource(seed, undefined, wholeLines);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = src.next();
  return out;
}

/**
 * A stress input for the template index: `n` lines of `types` message types that share nothing
 * but a trailing number, as a device reporting thousands of counters writes them (`zbcd 4817`):
 * thousands of templates of one length whose only common token is a value. Lines repeat the
 * types in order.
 */
export function distinctMessages(n: number, types: number): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    let t = i % types;
    let name = '';
    for (let k = 0; k < 4; k++, t = Math.floor(t / 26)) name = String.fromCharCode(97 + (t % 26)) + name;
    out[i] = `z${name} ${1000 + ((i * 7919) % 9000)}`;
  }
  return out;
}
