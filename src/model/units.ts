// Units written after a number: a duration or a size. A slot's numbers are compared on one scale
// (slots.ts), so `880.497118ms` and `9.870112345s` must be numbers of one unit: read as written,
// 9.87 seconds looked smaller than 131 milliseconds, and etcd's `apply request took too long`
// at 9.9 s, where routine ones took 100-250 ms, was no unusual value. Durations are read in
// milliseconds, sizes in bytes. Allocation-free: readUnit leaves its result in module state.

import { pairKey } from './added-fields.js';

/** What a unit measures. */
export const DURATION = 1;
export const SIZE = 2;

/** Kind, factor and class (UNITS: one bit per unit of a scale, nanoseconds to petabytes) of the unit the last readUnit found. */
export let unitKind = 0;
export let unitFactor = 1;
export let unitClass = 0;

const KIB = 1024;
// Unit -> [kind, factor] as written; a single letter only where glued to its number (`5s`, `1m30s`,
// `512M`): `5 m` or `3 s` may be anything; `93.0 B` is a size.
const WRITTEN: ReadonlyArray<readonly [string, readonly [number, number]]> = [
  ['ns', [DURATION, 1e-6]],
  ['us', [DURATION, 1e-3]],
  ['\u00b5s', [DURATION, 1e-3]],
  ['\u03bcs', [DURATION, 1e-3]],
  ['ms', [DURATION, 1]],
  ['msec', [DURATION, 1]],
  ['msecs', [DURATION, 1]],
  ['millis', [DURATION, 1]],
  ['s', [DURATION, 1e3]],
  ['sec', [DURATION, 1e3]],
  ['secs', [DURATION, 1e3]],
  ['second', [DURATION, 1e3]],
  ['seconds', [DURATION, 1e3]],
  ['m', [DURATION, 6e4]],
  ['min', [DURATION, 6e4]],
  ['mins', [DURATION, 6e4]],
  ['minute', [DURATION, 6e4]],
  ['minutes', [DURATION, 6e4]],
  ['h', [DURATION, 3.6e6]],
  ['hr', [DURATION, 3.6e6]],
  ['hrs', [DURATION, 3.6e6]],
  ['hour', [DURATION, 3.6e6]],
  ['hours', [DURATION, 3.6e6]],
  ['d', [DURATION, 8.64e7]],
  ['day', [DURATION, 8.64e7]],
  ['days', [DURATION, 8.64e7]],
  ['B', [SIZE, 1]],
  ['bytes', [SIZE, 1]],
  ['K', [SIZE, KIB]],
  ['KB', [SIZE, KIB]],
  ['kB', [SIZE, KIB]],
  ['KiB', [SIZE, KIB]],
  ['M', [SIZE, KIB ** 2]],
  ['MB', [SIZE, KIB ** 2]],
  ['MiB', [SIZE, KIB ** 2]],
  ['G', [SIZE, KIB ** 3]],
  ['GB', [SIZE, KIB ** 3]],
  ['GiB', [SIZE, KIB ** 3]],
  ['T', [SIZE, KIB ** 4]],
  ['TB', [SIZE, KIB ** 4]],
  ['TiB', [SIZE, KIB ** 4]],
  ['PB', [SIZE, KIB ** 5]],
  ['PiB', [SIZE, KIB ** 5]],
];
/**
 * Unit -> [kind, factor, class]: the class is the same for every spelling of one unit (`s`, `sec`,
 * `seconds`; `K`, `KB`, `KiB`), another for each step of the scale.
 */
const UNITS = new Map<string, readonly [number, number, number]>();
{
  const classes = new Map<string, number>();
  for (const [word, [kind, factor]] of WRITTEN) {
    const key = `${kind}:${factor}`;
    if (!classes.has(key)) classes.set(key, classes.size);
    UNITS.set(word, [kind, factor, classes.get(key)!]);
  }
}
const GLUED_ONLY = new Set(['s', 'm', 'h', 'd', 'K', 'M', 'G', 'T']);
const LONGEST = 7;

function isUnitLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 0xb5 || c === 0x3bc;
}

/**
 * The unit at `i` of `v`, right after a number, glued or after one space, ending where the letters
 * do: where it ends (and unitKind, unitFactor), or -1.
 */
export function readUnit(v: string, i: number): number {
  const n = v.length;
  let a = i;
  if (a < n && v.charCodeAt(a) === 32) a++;
  let b = a;
  while (b < n && b - a <= LONGEST && isUnitLetter(v.charCodeAt(b))) b++;
  if (b === a || b - a > LONGEST || (b < n && isUnitLetter(v.charCodeAt(b)))) return -1;
  const word = v.slice(a, b);
  const u = UNITS.get(word);
  if (u === undefined || (a > i && GLUED_ONLY.has(word))) return -1;
  // A size runs into no number (`2024-11-24T10:00:00Z`: the day is no 24 TiB); a duration may,
  // Go's `1h2m3.5s`.
  if (u[0] === SIZE && b < n && v.charCodeAt(b) >= 48 && v.charCodeAt(b) <= 57) return -1;
  unitKind = u[0];
  unitFactor = u[1];
  unitClass = u[2];
  return b;
}

/** Closing punctuation a unit word of the wording may carry (`(<*> ms):`, `<*> seconds,`). */
function isClosing(c: number): boolean {
  return c === 41 || c === 93 || c === 125 || c === 44 || c === 59 || c === 58 || c === 46;
}

/**
 * The unit class bit (1 << unitClass) of a unit written as its own word after a slot's number,
 * `next` being the template's token after it, or 0. Spring's `Slow query (40444 ms):` keeps `ms):`
 * in its wording (a bracket opens the value, so the unit does not join it as in `took 12 ms`), and
 * its slot held bare numbers: judged by the margin of numbers without a unit, a query of 40 s where
 * they took 1-2.6 s was no unusual value. As after one space in a value: no single letter (`5 m`).
 */
export function wordingUnit(next: string | undefined): number {
  if (next === undefined || next.length === 0 || next.length > LONGEST + 4) return 0;
  const v = ' ' + next;
  const end = readUnit(v, 0);
  if (end < 0) return 0;
  for (let k = end; k < v.length; k++) if (!isClosing(v.charCodeAt(k))) return 0;
  return 1 << unitClass;
}

/** A unit a field's name ends with, after a `_`, `.` or `-` or in camel case (`duration_ms`, `durationMs`). */
const KEY_UNITS = new Map<string, string>([
  ['ms', 'ms'],
  ['msec', 'ms'],
  ['millis', 'ms'],
  ['milliseconds', 'ms'],
  ['us', 'us'],
  ['micros', 'us'],
  ['microseconds', 'us'],
  ['ns', 'ns'],
  ['nanos', 'ns'],
  ['nanoseconds', 'ns'],
  ['sec', 's'],
  ['secs', 's'],
  ['seconds', 's'],
  ['bytes', 'B'],
]);
/** Longest name in KEY_UNITS. */
const KEY_UNIT_LONGEST = 12;

/**
 * The unit class bit of a field whose name says its unit (`durationMs=<*>`, `elapsed_seconds=<*>`,
 * MongoDB's `attr.durationMillis=<*>`), `token` being the template's token of the field, or 0.
 * The suffix starts after a separator or at a capital after a lower-case letter; `_s` alone is no
 * unit (a plural, a flag).
 */
export function keyUnit(token: string): number {
  const key = pairKey(token);
  if (key === null) return 0;
  const end = key.length;
  for (let a = end - 1; a > 0 && end - a <= KEY_UNIT_LONGEST; a--) {
    const c = key.charCodeAt(a);
    const before = key.charCodeAt(a - 1);
    const atSeparator = before === 95 || before === 46 || before === 45;
    const atCamel = c >= 65 && c <= 90 && before >= 97 && before <= 122;
    if (!atSeparator && !atCamel) continue;
    const unit = KEY_UNITS.get(key.slice(a).toLowerCase());
    return unit === undefined ? 0 : 1 << UNITS.get(unit)![2];
  }
  return 0;
}
