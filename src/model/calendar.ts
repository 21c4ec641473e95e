// Month, weekday and time-zone names: the words of clock readings. The masker joins them to the
// values beside them (a date is one value), and value shapes read them as one kind of word, so the
// next month or weekday is a reading of the same clock, not a new kind of value.

import { FoldedWords } from './folded-words.js';
import { isDigit, isLetter } from './vocabulary.js';

/** Lower-case month, weekday, half-day and zone names. */
export const DATE_WORDS: ReadonlySet<string> = new Set(
  (
    'jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september ' +
    'october november december mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday ' +
    'saturday sunday am pm utc gmt est edt cst cdt mst mdt pst pdt cet cest eet eest bst ist jst kst msk aest aedt'
  ).split(' '),
);

const CALENDAR = new FoldedWords(DATE_WORDS);

/**
 * End of the calendar word starting at `i` of `text` (a capitalized letter run of 2-9 letters that
 * is a DATE_WORDS entry, not inside a longer run), or -1. Capitalized only, as the masker takes
 * them: "may" the verb is not a month.
 */
export function calendarWordEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 65 || c > 90 || (i > 0 && isLetter(text.charCodeAt(i - 1)))) return -1;
  let j = i;
  while (j < text.length && j - i <= 9 && isLetter(text.charCodeAt(j))) j++;
  const n = j - i;
  if (n < 2 || n > 9 || (j < text.length && isLetter(text.charCodeAt(j)))) return -1;
  return CALENDAR.has(text, i, j) ? j : -1;
}

/**
 * Whether text[a, b) is a DATE_WORDS entry in any case, as `DATE_WORDS.has(word.toLowerCase())`
 * says, without copying the word: the masker asks this of every capitalized word.
 */
export function isCalendarWord(text: string, a: number, b: number): boolean {
  return CALENDAR.has(text, a, b);
}

function digitAt(text: string, i: number): boolean {
  return isDigit(text.charCodeAt(i));
}

/**
 * Whether a value reads a clock: it holds a time of day with seconds (`02:03:48`, `9:05:01`), a
 * date with a four-digit year first (`2016-09-29`, `2005/11/09`, `2005.11.09`), or a Unix time
 * between 2000 and 2038 in seconds or milliseconds (`1131566461`, the supercomputer logs'). The
 * clock moves on: the next reading is never an unusual value, however few readings training saw.
 */
export function isClockReading(v: string): boolean {
  const n = v.length;
  if (n >= 10 && hasUnixTime(v)) return true;
  for (let i = 1; i + 5 < n; i++) {
    const c = v.charCodeAt(i);
    if (c === 58 /* : */) {
      // d:dd:dd
      if (digitAt(v, i - 1) && digitAt(v, i + 1) && digitAt(v, i + 2) && v.charCodeAt(i + 3) === 58 && digitAt(v, i + 4) && digitAt(v, i + 5)) return true;
    } else if ((c === 45 || c === 47 || c === 46) && i >= 4) {
      // dddd-dd-dd, dddd/dd/dd, dddd.dd.dd (the same separator twice)
      if (
        digitAt(v, i - 1) && digitAt(v, i - 2) && digitAt(v, i - 3) && digitAt(v, i - 4) && !digitAt(v, i - 5) &&
        digitAt(v, i + 1) && digitAt(v, i + 2) && v.charCodeAt(i + 3) === c && digitAt(v, i + 4) && digitAt(v, i + 5)
      ) return true;
    }
  }
  return false;
}

/** Unix times from 2000-01-01 to 2038-01-19, in seconds. */
const UNIX_FROM = 946684800;
const UNIX_TO = 2147483647;

function isWordChar(c: number): boolean {
  return isDigit(c) || isLetter(c) || c === 95;
}

/** A run of 10 digits (seconds) or 13 (milliseconds) standing alone and within UNIX_FROM..UNIX_TO. */
function hasUnixTime(v: string): boolean {
  const n = v.length;
  let i = 0;
  while (i < n) {
    if (!digitAt(v, i)) {
      i++;
      continue;
    }
    const start = i;
    let x = 0;
    while (i < n && digitAt(v, i)) x = x * 10 + (v.charCodeAt(i++) - 48);
    const len = i - start;
    if ((len !== 10 && len !== 13) || (start > 0 && isWordChar(v.charCodeAt(start - 1))) || (i < n && isWordChar(v.charCodeAt(i)))) continue;
    const seconds = len === 13 ? x / 1000 : x;
    if (seconds >= UNIX_FROM && seconds <= UNIX_TO) return true;
  }
  return false;
}
