// Month, weekday and time-zone names: the words of clock readings. The masker joins them to the
// values beside them (a date is one value), and value shapes read them as one kind of word, so the
// next month or weekday is a reading of the same clock, not a new kind of value.

import { FoldedWords } from './folded-words.js';
import { isLetter } from './vocabulary.js';

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
