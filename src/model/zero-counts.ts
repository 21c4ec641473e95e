// Failure words that a line counts as none: "0 errors", "Failures: 0",
// "errors=0", "no errors". Summaries of test runs, builds, backups and
// metrics lines name failures in order to say there were none; the words are
// a counter's name there, and reading them as trouble flags every routine
// summary whose count happens to be new. Masking turns the 0 into <*>, so
// this is judged per line from the masked values (a shape is shared by
// "0 errors" and "3 errors"); "no errors" and "without errors" are words, and
// are read with the vocabulary (vocabulary.ts noneBefore).

import type { Tokenized } from './mask.js';
import { COUNTED, NOTHING, PHRASE_WORDS, endsValue, isLetter, lettersAt0, nextLetter, phraseMentions, placeholderEnd, quantifiedPhraseEnd } from './vocabulary.js';

const PLACEHOLDER = '<*>';

/** A count of nothing: 0, 0.0, 0%, 0x0, none of several (`0/3`). */
function isZero(v: string | undefined): boolean {
  return v !== undefined && /^(?:[+-]?0+(\.0+)?%?|0x0+|0+\/\d+)$/i.test(v);
}

/** A zero or, as a key's value, nothing (vocabulary.ts NOTHING; empty between quotes: `error=""`). */
function isNothing(v: string | undefined): boolean {
  return v !== undefined && (v === '' || isZero(v) || NOTHING.test(v));
}

/** Index in `tok.values` of the first value of token k. */
function firstValue(tok: Tokenized, k: number): number {
  return k === 0 ? 0 : tok.valueEnd[k - 1]!;
}

/** Values of token k all pass `test` (at least one). */
function valuesAre(tok: Tokenized, k: number, test: (v: string | undefined) => boolean): boolean {
  const start = firstValue(tok, k);
  const end = tok.valueEnd[k]!;
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (!test(tok.values[i])) return false;
  return true;
}

/**
 * How the rules below read the line's values: as they are, or (ANY_ZERO) as zeros wherever the
 * rules need one, which tells from the tokens alone where a line of the shape may count a word as
 * none. Every rule needs its values to be zero, never the contrary, so a word the tokens rule out
 * is ruled out for every line of the shape.
 */
interface Zeros {
  /** tok.values[i], a key's value, is a zero or nothing (isNothing). */
  at(tok: Tokenized, i: number): boolean;
  /** Token k's values are all zero (at least one). */
  all(tok: Tokenized, k: number): boolean;
  /**
   * Token k's value ends in a zero: a count right before its word, where the masker merged it with
   * the values before (`2026/11/24 10:00:00 kid1| 0 Invalid entries.`: one `<*>`, one value).
   */
  last(tok: Tokenized, k: number): boolean;
  /** Token k's values, given to a key, are all zero or nothing (at least one). */
  given(tok: Tokenized, k: number): boolean;
}

const ACTUAL: Zeros = {
  at: (tok, i) => isNothing(tok.values[i]),
  all: (tok, k) => valuesAre(tok, k, isZero),
  given: (tok, k) => valuesAre(tok, k, isNothing),
  last: (tok, k) => {
    const end = tok.valueEnd[k]!;
    if (end <= firstValue(tok, k)) return false;
    const v = tok.values[end - 1]!;
    return isZero(v.slice(v.lastIndexOf(' ') + 1));
  },
};
const ANY_ZERO: Zeros = { at: () => true, all: () => true, given: () => true, last: () => true };

/**
 * Token k is a key's value that says there was none, masked: a zero or nothing (`<*>`, `<*>,`,
 * `"<*>"`, `<*>;`: punctuation around it, no letters). Words for nothing the masker left
 * (`Errors: none`) are the vocabulary's (noneBefore).
 */
function zeroAfter(tok: Tokenized, k: number, z: Zeros): boolean {
  const t = tok.tokens[k];
  if (t === undefined) return false;
  const at = t.indexOf(PLACEHOLDER);
  if (at < 0 || at > 1 || t.indexOf('<', at + 1) >= 0) return false;
  for (let i = 0; i < t.length; i++) if (isLetter(t.charCodeAt(i))) return false;
  // A word for nothing must end the value (`Error: null pointer` names a null pointer).
  return z.all(tok, k) || (endsValue(tok.tokens, k) && z.given(tok, k));
}

/** Masker placeholders (`<*>`, `<pid>`) in token[0, end): each holds a value. */
function placeholdersBefore(token: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const close = placeholderEnd(token, i);
    if (close > 0) {
      n++;
      i = close - 1;
    }
  }
  return n;
}

/** Token k ends a clause or a list item (`passed,`, `summary:`): what follows starts afresh. */
function clauseEnd(tok: Tokenized, k: number): boolean {
  if (k < 0) return false;
  const t = tok.tokens[k]!;
  const last = t.charCodeAt(t.length - 1);
  return last === 44 /* , */ || last === 59 /* ; */ || last === 58 /* : */;
}

const isIdent = (c: number): boolean => isLetter(c) || (c >= 48 && c <= 57) || c === 95; /* _ */

/**
 * Index just past the key a word ends in: `error_count`, `rx_errors.total`, `failed-jobs` (a
 * counter's name made of several words); `end` itself when the word is not part of one.
 */
function keyEnd(token: string, end: number): number {
  let i = end;
  const n = token.length;
  while (i < n) {
    const c = token.charCodeAt(i);
    if (isIdent(c)) i++;
    else if ((c === 46 /* . */ || c === 45) /* - */ && i + 1 < n && isIdent(token.charCodeAt(i + 1))) i++;
    else break;
  }
  return i;
}

const isBareWord = (t: string | undefined): boolean => t !== undefined && /^[A-Za-z_]{2,}$/.test(t);

/**
 * How the words around token k (a bare word) take their counts, read on the run of bare words
 * and bare counts alternating around it: `after` when the run opens with a word (`RX errors 0
 * dropped 0`), `before` when it opens with a count (`5 errors 0 warnings`: the 0 is the warnings'),
 * and how many word-count pairs the run holds.
 */
function counterRun(tok: Tokenized, k: number): { after: boolean; pairs: number } {
  const ts = tok.tokens;
  let first = k;
  while (first >= 2 && ts[first - 1] === PLACEHOLDER && isBareWord(ts[first - 2])) first -= 2;
  if (first >= 1 && ts[first - 1] === PLACEHOLDER) return { after: false, pairs: 0 };
  let pairs = 0;
  for (let j = first; isBareWord(ts[j]) && ts[j + 1] === PLACEHOLDER; j += 2) pairs++;
  return { after: true, pairs };
}

/**
 * Whether the value given to the key that ends at `key` in token k is a zero or nothing, glued
 * (`errors=<*>`, `failed:<*>`, `errors="<*>"`) or apart (`Errors: <*>,`, `errors = <*>`); null when
 * the key is given no value there.
 */
function givenZero(tok: Tokenized, k: number, key: number, z: Zeros): boolean | null {
  const token = tok.tokens[k]!;
  const sep = token[key];
  if (sep === ':' || sep === '=') {
    const at = token.startsWith(PLACEHOLDER, key + 1) ? key + 1 : token.startsWith(PLACEHOLDER, key + 2) && token[key + 1] === '"' ? key + 2 : -1;
    if (at > 0) return z.at(tok, firstValue(tok, k) + placeholdersBefore(token, at));
    if (key + 1 === token.length) return zeroAfter(tok, k + 1, z);
    return false;
  }
  if (key === token.length && (tok.tokens[k + 1] === '=' || tok.tokens[k + 1] === ':')) return zeroAfter(tok, k + 2, z);
  return null;
}

/** Nouns that make the failure word before them a counter's name (`error code`, `failure count`). */
const COUNTER_NOUNS: ReadonlySet<string> = new Set(['code', 'codes', 'count', 'counts', 'rate', 'total', 'number']);

/** End of the counter noun a token begins with, when it is one and only punctuation or a value follows it in the token; else -1. */
function counterNounEnd(t: string | undefined): number {
  if (t === undefined) return -1;
  const i = lettersAt0(t);
  if (!COUNTER_NOUNS.has(t.slice(0, i).toLowerCase())) return -1;
  return i === t.length || t[i] === ':' || t[i] === '=' ? i : -1;
}

/**
 * Whether the word at token[start, end) of token k (`word`, lower-cased) is counted as none. A
 * value after it or after the key it ends in (`Errors: 0`, `errors=0`,
 * `errors="0"`, `errors = 0`, `error_count=0`) is its count; so is a bare
 * zero after it when the word is a counted noun, a key, or one of a list of
 * counters (`RX errors 0 dropped 0 overruns 0`, `http_errors_total 0`).
 * Otherwise a bare zero before it is, when the word is a counted noun
 * (`0 errors`, `0 error(s)`) or the zero starts a clause (`12 passed, 0 failed`).
 */
function countedAsNone(tok: Tokenized, k: number, start: number, end: number, word: string, z: Zeros): boolean {
  const token = tok.tokens[k]!;
  const key = keyEnd(token, end);
  const given = givenZero(tok, k, key, z);
  if (given !== null) return given;
  if (key === token.length) {
    // A counter named in two words: `error code 0`, `failure count: 0`, `error rate = 0.0%`.
    const noun = counterNounEnd(tok.tokens[k + 1]);
    if (noun > 0) return givenZero(tok, k + 1, noun, z) ?? zeroAfter(tok, k + 2, z);
    if (tok.tokens[k + 1] === PLACEHOLDER && z.all(tok, k + 1) && (start === 0 || token[start - 1] === '_')) {
      // After the word: where it names what is counted (a key, a counted noun, one of a list of
      // three counters or more), and counts follow their words, not `Job 7 failed 0 retries left`.
      const run = counterRun(tok, k);
      if (run.after && (key > end || COUNTED.has(word) || run.pairs >= 3)) return true;
    }
  }
  // Nothing but punctuation before the word in its token: `0 errors,`, `(0 failed)`.
  for (let i = 0; i < start; i++) if (isLetter(token.charCodeAt(i)) || token[i] === '<') return false;
  if (k > 0 && tok.tokens[k - 1] === PLACEHOLDER && z.last(tok, k - 1)) {
    if (COUNTED.has(word) || token.startsWith('(s)', end) || clauseEnd(tok, k - 2)) return true;
  }
  return start === 0 && zeroPhrase(tok, k, z) !== null;
}

/**
 * The noun phrase [from, end] holding token k that a bare zero counts (`0 fatal errors`, `found 0
 * failed login attempts`, `0 critical input interrupts.`: vocabulary.ts quantifiedPhraseEnd): there
 * were none of what the phrase names, so none of its failure words happened. Null when none does.
 */
function zeroPhrase(tok: Tokenized, k: number, z: Zeros): { from: number; end: number } | null {
  const ts = tok.tokens;
  for (let p = k - 1; p >= 0 && k - p <= PHRASE_WORDS; p--) {
    if (ts[p] === PLACEHOLDER) {
      const end = quantifiedPhraseEnd(ts, p + 1);
      return z.last(tok, p) && end >= k ? { from: p + 1, end } : null;
    }
    if (!isBareWord(ts[p])) return null;
  }
  return null;
}

/** Where a shape's lines may count failure words as none (noneCheck). */
export interface NoneCheck {
  /** Flat [token, start, end] of each place a word may be counted as none; its word in `words`. */
  readonly places: Int32Array;
  readonly words: readonly string[];
}

/**
 * Reads a shape's tokens once for the places where its lines may count one of `terms` as none:
 * the words written there and nowhere else in the shape, each place as any line of the shape
 * might fill it with zeros. Null when there is none: then no line of the shape counts a word as
 * none, whatever its values, and scoring skips the reading (it was 7% of scoring time).
 */
export function noneCheck(tok: Tokenized, terms: ReadonlySet<string>): NoneCheck | null {
  const maybe: Array<[number, number, number, string]> = [];
  const elsewhere: Array<[number, string]> = [];
  forTermWords(tok, terms, (k, start, end, word) => {
    if (countedAsNone(tok, k, start, end, word, ANY_ZERO)) maybe.push([k, start, end, word]);
    else elsewhere.push([k, word]);
  });
  if (maybe.length === 0) return null;
  // Where the line names a counted phrase again, the count's answer holds there too: those
  // mentions follow their phrase's place, and are no other use of the word.
  const again = new Set<number>();
  for (const [k] of maybe) {
    const phrase = zeroPhrase(tok, k, ANY_ZERO);
    if (phrase !== null) for (const q of phraseMentions(tok.tokens, phrase.from, phrase.end)) again.add(q);
  }
  const other = new Set<string>();
  for (const [k, word] of elsewhere) if (!again.has(k)) other.add(word);
  const kept = maybe.filter((p) => !other.has(p[3]));
  if (kept.length === 0) return null;
  return { places: Int32Array.from(kept.flatMap((p) => [p[0], p[1], p[2]])), words: kept.map((p) => p[3]) };
}

/** The words a line of the shape counts as none wherever it writes them (see wordsCountedAsNone). */
export function checkNone(tok: Tokenized, check: NoneCheck): Set<string> | null {
  let none: Set<string> | null = null;
  let other: Set<string> | null = null;
  const { places, words } = check;
  for (let j = 0; j < words.length; j++) {
    const word = words[j]!;
    if (countedAsNone(tok, places[3 * j]!, places[3 * j + 1]!, places[3 * j + 2]!, word, ACTUAL)) (none ??= new Set()).add(word);
    else (other ??= new Set()).add(word);
  }
  if (none === null) return null;
  if (other !== null) for (const w of other) none.delete(w);
  return none.size > 0 ? none : null;
}

/** Calls `f` for each word of the tokens that is one of `terms` (token k, [start, end) in it, lower-cased word). */
function forTermWords(tok: Tokenized, terms: ReadonlySet<string>, f: (k: number, start: number, end: number, word: string) => void): void {
  for (let k = 0; k < tok.tokens.length; k++) {
    const token = tok.tokens[k]!;
    const n = token.length;
    // Placeholders (`<*>`, `<ip>`) are the masker's, not words.
    for (let i = nextLetter(token, 0); i < n; i = nextLetter(token, i)) {
      const start = i;
      while (i < n && isLetter(token.charCodeAt(i))) i++;
      const word = token.slice(start, i).toLowerCase();
      if (terms.has(word)) f(k, start, i, word);
    }
  }
}

/**
 * The words among `terms` that the line counts as none wherever it writes
 * them (a word also written otherwise, "0 errors ... 2 errors", still counts).
 * Null when there are none.
 */
export function wordsCountedAsNone(tok: Tokenized, terms: ReadonlySet<string>): Set<string> | null {
  const check = noneCheck(tok, terms);
  return check === null ? null : checkNone(tok, check);
}
