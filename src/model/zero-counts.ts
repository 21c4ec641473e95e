// Failure words that a line counts as none: "0 errors", "Failures: 0",
// "errors=0", "dropped=0". Summaries of test runs, builds, backups and
// metrics lines name failures in order to say there were none; the words are
// a counter's name there, and reading them as trouble flags every routine
// summary whose count happens to be new. Masking turns the 0 into <*>, so
// this is judged per line from the masked values (a shape is shared by
// "0 errors" and "3 errors"); "no errors" and "without errors" are words and
// are read with the vocabulary (vocabulary.ts failureTerms).

import type { Tokenized } from './mask.js';
import { isLetter, nextLetter } from './vocabulary.js';

const PLACEHOLDER = '<*>';

/** A count of nothing: 0, 0.0, 0%. */
function isZero(v: string | undefined): boolean {
  return v !== undefined && /^[+-]?0+(\.0+)?%?$/.test(v);
}

/** Index in `tok.values` of the first value of token k. */
function firstValue(tok: Tokenized, k: number): number {
  return k === 0 ? 0 : tok.valueEnd[k - 1]!;
}

/** Token k is a bare masked value (`<*>`, `<*>,`) whose values are all zero. */
function zeroToken(tok: Tokenized, k: number): boolean {
  const t = tok.tokens[k];
  if (t === undefined || !t.startsWith(PLACEHOLDER)) return false;
  for (let i = PLACEHOLDER.length; i < t.length; i++) if (isLetter(t.charCodeAt(i)) || t[i] === '<') return false;
  const start = firstValue(tok, k);
  const end = tok.valueEnd[k]!;
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (!isZero(tok.values[i])) return false;
  return true;
}

function placeholdersBefore(token: string, end: number): number {
  let n = 0;
  for (let i = token.indexOf(PLACEHOLDER); i >= 0 && i < end; i = token.indexOf(PLACEHOLDER, i + PLACEHOLDER.length)) n++;
  return n;
}

/** Token k ends a clause or a list item (`passed,`, `summary:`), or there is none: what follows starts afresh. */
function clauseEnd(tok: Tokenized, k: number): boolean {
  if (k < 0) return true;
  const last = tok.tokens[k]!.charCodeAt(tok.tokens[k]!.length - 1);
  return last === 44 /* , */ || last === 59 /* ; */ || last === 58 /* : */ || last === 46 /* . */ || last === 40 /* ( */ || last === 91 /* [ */;
}

/**
 * Whether the word at token[start, end) of token k is counted as none. A
 * value after it (`Errors: 0`, `errors=0`) is its count. Otherwise a zero
 * before it is, when the word is a plural noun (`0 errors`, `0 error(s)`) or
 * the zero starts a clause (`5 passed, 0 failed`): in `worker 0 failed` the
 * zero names the worker.
 */
function countedAsNone(tok: Tokenized, k: number, start: number, end: number): boolean {
  const token = tok.tokens[k]!;
  const sep = token[end];
  if (sep === ':' || sep === '=') {
    // Glued: `errors=<*>`, `failed:<*>`.
    if (token.startsWith(PLACEHOLDER, end + 1)) return isZero(tok.values[firstValue(tok, k) + placeholdersBefore(token, end)]);
    // Apart: `Errors: <*>,`.
    if (end + 1 === token.length && k + 1 < tok.tokens.length && tok.tokens[k + 1]!.startsWith(PLACEHOLDER)) return zeroToken(tok, k + 1);
  }
  // Nothing but punctuation before the word in its token: `0 errors,`, `(0 failed)`.
  for (let i = 0; i < start; i++) if (isLetter(token.charCodeAt(i)) || token[i] === '<') return false;
  if (k === 0 || !zeroToken(tok, k - 1)) return false;
  const plural = (end - start > 3 && (token[end - 1] === 's' || token[end - 1] === 'S')) || token.startsWith('(s)', end);
  return plural || clauseEnd(tok, k - 2);
}

/**
 * The words among `terms` that the line counts as none wherever it writes
 * them (a word also written otherwise, "0 errors ... 2 errors", still counts).
 * Null when there are none.
 */
export function wordsCountedAsNone(tok: Tokenized, terms: ReadonlySet<string>): Set<string> | null {
  let none: Set<string> | null = null;
  const other = new Set<string>();
  for (let k = 0; k < tok.tokens.length; k++) {
    const token = tok.tokens[k]!;
    const n = token.length;
    // Placeholders (`<*>`, `<ip>`) are the masker's, not words.
    for (let i = nextLetter(token, 0); i < n; i = nextLetter(token, i)) {
      const start = i;
      while (i < n && isLetter(token.charCodeAt(i))) i++;
      const word = token.slice(start, i).toLowerCase();
      if (!terms.has(word)) continue;
      if (countedAsNone(tok, k, start, i)) (none ??= new Set()).add(word);
      else other.add(word);
    }
  }
  if (none === null) return null;
  for (const w of other) none.delete(w);
  return none.size > 0 ? none : null;
}
