// Month, weekday and time-zone names: the words of clock readings. The masker joins them to the
// values beside them (a date is one value), and value shapes read them as one kind of word, so the
// next month or weekday is a reading of the same clock, not a new kind of value.

import { isLetter } from './vocabulary.js';

/** Lower-case month, weekday, half-day and zone names. */
export const DATE_WORDS: ReadonlySet<string> = new Set(
  (
    'jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september ' +
    'october november december mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday ' +
    'saturday sunday am pm utc gmt est edt cst cdt mst mdt pst pdt cet cest eet eest bst ist jst kst msk aest aedt'
  ).split(' '),
);

/**
 * End of the calendar word starting at `i` of `text` (a capitalized letter run of 2-9 letters that
 * is a DATE_WORDS entry, not inside a longer run), or -1. Capitalized only, as the masker takes
 * them: "may" the verb is not a month.
 */
export function calendarWordEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 65 || c > 90 || (i > 0 && isLetter(text.charCodeAt(i - 1)))) return -1;
  // The run's letters as a number (5 bits each, case folded), looked up without copying the
  // word: value shapes call this for every capitalized word of every slot value.
  let key = 0;
  let j = i;
  for (; j < text.length && j - i <= 9; j++) {
    const d = text.charCodeAt(j);
    if (!isLetter(d)) break;
    key = key * 32 + ((d | 32) - 96);
  }
  const n = j - i;
  if (n < 2 || n > 9 || (j < text.length && isLetter(text.charCodeAt(j)))) return -1;
  return DATE_KEYS.has(key) ? j : -1;
}

/**
 * Whether text[a, b) is a DATE_WORDS entry in any case, as `DATE_WORDS.has(word.toLowerCase())`
 * says, without copying the word: the masker asks this of every capitalized word.
 */
export function isCalendarWord(text: string, a: number, b: number): boolean {
  if (b - a > 9) return false;
  let key = 0;
  for (let k = a; k < b; k++) {
    const d = text.charCodeAt(k);
    // Beyond ASCII, lower-casing may still make a name (the Kelvin sign becomes `k`).
    if (d >= 128) return DATE_WORDS.has(text.slice(a, b).toLowerCase());
    if (!isLetter(d)) return false;
    key = key * 32 + ((d | 32) - 96);
  }
  return DATE_KEYS.has(key);
}

/** Letters of a lower-case word as calendarWordEnd numbers them (at most 9 letters: below 2^45). */
function letterKey(word: string): number {
  let key = 0;
  for (let k = 0; k < word.length; k++) key = key * 32 + (word.charCodeAt(k) - 96);
  return key;
}

const DATE_KEYS: ReadonlySet<number> = new Set([...DATE_WORDS].map(letterKey));
