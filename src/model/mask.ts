// Turns a raw log message into a token sequence in which variable parts are
// masked, so that the same statement with different values always yields the
// same tokens. Pure and allocation-light: this runs on every line.
//
// One left-to-right pass: split at whitespace (a quoted span that opens a
// chunk may contain spaces); strip opening brackets and trailing punctuation
// from each chunk, which stay in the token but not in the value; mask the
// core as a whole when it is a URL, path, e-mail or IPv6/MAC, else cut it at
// `, ; = ( ) [ ] { } |` and mask each piece that holds a digit, is a path,
// a literal (true/false/null) or the value of a `key=` / `key:`. Adjacent
// fully masked tokens (plus month, weekday, zone and unit words next to
// them) collapse into one `<*>`, so variable-length values such as dates,
// number lists and `5.2 KB` keep the token count stable. Limits: at most
// MAX_TOKENS tokens per line (the rest becomes one final `<*>`), chunks longer
// than MAX_TOKEN_CHARS are one value, quote searches are budgeted per line.

import { isCalendarWord } from './calendar.js';
import { FoldedWords } from './folded-words.js';
import { LEVEL_WORDS } from './level-word.js';
import { isSeparator } from './spaces.js';
import type { MaskRuleConfig } from './types.js';
import { isLetter } from './vocabulary.js';
import { isDeviceCode, renderStructured } from './structured.js';

/** Most tokens kept per line; the rest of the line becomes one final `<*>` token. */
export const MAX_TOKENS = 256;
/** Longer whitespace-delimited chunks are values as a whole (blobs, base64), which bounds template size. */
export const MAX_TOKEN_CHARS = 192;
// Characters scanned looking for closing quotes, per quote and per line, so
// that a 1 MB line full of unbalanced quotes stays linear.
const QUOTE_SPAN = 4096;
const QUOTE_BUDGET = 65536;
/** The wildcard token. */
export const WILDCARD = '<*>';
/** Characters that may make a token (part) a value (isPlainWord). */
const SPECIAL_CHARS = '0123456789=,;()[]{}|:/\\@"\'~<>';

export interface CompiledMask {
  readonly re: RegExp;
  readonly token: string;
}

/** Extra masking rules, validated and compiled once. */
export interface CompiledMasks {
  readonly extra: readonly CompiledMask[];
}

export interface Tokenized {
  tokens: string[];
  /** Raw values that were masked, in order of appearance. */
  values: string[];
  /** valueEnd[t]: index into `values` just past the values of token t. */
  valueEnd: number[];
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Syntax of other regex dialects that JavaScript without the `u` flag reads as something else,
 * so an operator's pattern would quietly match nothing they meant: `\p{L}` is the text `p{L}`,
 * `[[:digit:]]` is a class of the characters in `[:digt` followed by `]`. Null when there is none.
 */
/** Escapes of other dialects that JavaScript without the `u` flag reads as their letter, with what they mean there. */
const OTHER_ESCAPES: Record<string, string> = {
  A: 'start of text; use ^',
  Z: 'end of text; use $',
  z: 'end of text; use $',
  h: 'a blank; use [ \\t]',
  Q: 'quoting; escape each character instead',
  E: 'end of quoting; escape each character instead',
  G: 'where the last match ended',
  K: 'match reset',
  R: 'a line break; use \\r?\\n',
};

export function foreignRegexSyntax(pattern: string): string | null {
  const literal = /^\/(.+)\/[dgimsuyv]+$/s.exec(pattern);
  if (literal !== null) {
    return `is written as a /pattern/flags literal, whose slashes and flags would be matched as text: give the pattern alone (${literal[1]})`;
  }
  const inline = /(?:^|[^\\])(?:\\\\)*\(\?([a-zA-Z]+-?[a-zA-Z]*)[):]/.exec(pattern);
  if (inline !== null) {
    return `(?${inline[1]}) is an inline flag of other regex dialects (PCRE, Python, Go), not JavaScript's: spell the cases out instead, such as [Ee]rror`;
  }
  const property = /(?:^|[^\\])(?:\\\\)*\\[pP]\{/.exec(pattern);
  if (property !== null) {
    return '\\p{...} is a Unicode property class, which JavaScript reads only with the u flag (here it is the text p{...}): use a class such as [A-Za-z]';
  }
  // PCRE's, Python's and Ruby's escapes that JavaScript reads as the bare letter: `\Aerror\Z` never matches "error".
  const escape = /(?:^|[^\\])(?:\\\\)*\\([AZzhQEGKR])/.exec(pattern);
  if (escape !== null) return `\\${escape[1]} is an escape of other regex dialects (${OTHER_ESCAPES[escape[1]!]}), which JavaScript reads as the letter ${escape[1]}`;
  const posix = /\[:(alnum|alpha|blank|cntrl|digit|graph|lower|print|punct|space|upper|word|xdigit):\]/.exec(pattern);
  if (posix !== null) return `[:${posix[1]}:] is a POSIX class, which JavaScript does not have (here it is a class of the characters in "[:${posix[1]}:"): use a class such as [0-9]`;
  return null;
}

/**
 * What is wrong with a regular expression as a pattern of this program (IGNORE, EXTRA_MASKS,
 * --mask), or null: another dialect's syntax, said as such (V8 would call `(?i)` only an "Invalid
 * group"), or V8's reason with the pattern as written.
 */
export function patternProblem(pattern: string): string | null {
  const foreign = foreignRegexSyntax(pattern);
  if (foreign !== null) return foreign;
  try {
    new RegExp(pattern);
  } catch (err) {
    // V8 says "Invalid regular expression: /(/: Unterminated group": keep the reason.
    const reason = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return `invalid regular expression ${JSON.stringify(pattern)}: ${reason}`;
  }
  return null;
}

/**
 * What is wrong with one extra masking rule, or null: the one check behind the configuration's
 * EXTRA_MASKS, the offline commands' --mask and a model's own rules, so each names the rule its
 * own way and none accepts a rule another refuses.
 */
export function maskRuleProblem(rule: unknown): string | null {
  if (rule === null || typeof rule !== 'object') return 'must be a {pattern, name} rule';
  const { pattern } = rule as { pattern?: unknown };
  // YAML `name: ~` is no name.
  const name = (rule as { name?: unknown }).name ?? undefined;
  if (typeof pattern !== 'string' || pattern === '') return 'pattern must be a non-empty string';
  const problem = patternProblem(pattern);
  if (problem !== null) return problem;
  // A pattern matching the empty string would mask between every character.
  if (new RegExp(pattern, 'g').test('')) return 'matches the empty string';
  if (name !== undefined && typeof name !== 'string') return `name must be a string, got ${typeof name}`;
  if (name !== undefined && name !== '*' && !NAME_RE.test(name)) {
    return `name ${JSON.stringify(name)} must be 1 to 64 letters, digits, '_', '.' or '-'`;
  }
  return null;
}

/** Validates and compiles extra rules; throws an Error naming the offending rule. */
export function compileMasks(extra: readonly MaskRuleConfig[] = []): CompiledMasks {
  if (!Array.isArray(extra)) throw new Error('extraMasks must be an array');
  const out: CompiledMask[] = [];
  extra.forEach((rule, i) => {
    const problem = maskRuleProblem(rule);
    if (problem !== null) {
      const pattern = typeof rule?.pattern === 'string' ? ` ${JSON.stringify(rule.pattern)}` : '';
      throw new Error(`extraMasks[${i}]${pattern}: ${problem}`);
    }
    out.push({ re: new RegExp(rule.pattern, 'g'), token: `<${rule.name ?? '*'}>` });
  });
  return { extra: out };
}

export const NO_MASKS: CompiledMasks = { extra: [] };

// Extra-rule matches are replaced by SENTINEL + one char encoding the match's
// index, so the built-in scanner treats them as opaque, already-masked values.
const SENTINEL = '\uE000';
const SENT_BASE = 0xe100;
// Up to U+FEFE: U+FEFF separates words (spaces.ts), and a placeholder must stay inside its word.
const SENT_MAX = 0x1dff;
const SENT_RE = /\uE000([\uE100-\uFEFE])/g;

interface Extra {
  token: string;
  value: string;
}

/** Per-line scanner state; one small object per line. */
interface Ctx {
  text: string;
  extras: Extra[] | null;
  tokens: string[];
  values: string[];
  valueEnd: number[];
  /** Set by maskCore: every alphanumeric part of the chunk was masked. */
  allMasked: boolean;
  /** The chunk maskCore masks is the whole text of a bracket (`[core:error]`). */
  inBrackets: boolean;
  // The current run of adjacent variable (or date-word) tokens, collapsed to one `<*>`.
  runTok: number;
  runStart: number;
  runVals: number;
  runMasked: boolean;
  /** The run's last piece (start, end; -1: not masked), judged by pieceKind only when another comes. */
  lastStart: number;
  lastEnd: number;
  /** The run is one `<*>` already, its value the text up to runEnd (extra-rule matches restored). */
  runJoined: boolean;
  runEnd: number;
  quoteBudget: number;
}

/** Whether a message has no token at all (empty, or only spaces and control characters). */
export function isBlank(message: string): boolean {
  for (let i = 0; i < message.length; i++) if (!isSeparator(message.charCodeAt(i))) return false;
  return true;
}

/** Tokenizes a message and masks its variable parts (see the module comment). */
export function tokenize(message: string, masks: CompiledMasks = NO_MASKS): Tokenized {
  let text = typeof message === 'string' ? message : String(message ?? '');
  let extras: Extra[] | null = null;
  if (masks.extra.length > 0) {
    // The line's own U+E000 (a private-use character, which no log writes on purpose) would read as
    // a placeholder below, the text after it as some rule's match: it becomes U+FFFD.
    if (text.indexOf(SENTINEL) >= 0) text = text.replaceAll(SENTINEL, '\uFFFD');
    const ex: Extra[] = [];
    for (const m of masks.extra) {
      m.re.lastIndex = 0;
      text = text.replace(m.re, (match: string) => {
        // An empty match (`\b`, a lookahead) masks nothing: it would make every line one `<*>`.
        if (match === '' || ex.length >= SENT_MAX) return match;
        ex.push({ token: m.token, value: restore(match, ex) });
        return SENTINEL + String.fromCharCode(SENT_BASE + ex.length - 1);
      });
    }
    if (ex.length > 0) extras = ex;
  }
  // JSON and logfmt lines are read as the plain line their fields describe (structured.ts).
  const plain = renderStructured(text);
  if (plain !== null) text = plain;
  const x: Ctx = {
    text,
    extras,
    tokens: [],
    values: [],
    valueEnd: [],
    allMasked: false,
    inBrackets: false,
    runTok: -1,
    runStart: 0,
    runVals: 0,
    runMasked: false,
    lastStart: -1,
    lastEnd: 0,
    runJoined: false,
    runEnd: 0,
    quoteBudget: QUOTE_BUDGET,
  };
  const n = text.length;
  let i = syslogPriority(x);
  let afterEq = false;
  // The previous chunk: where it started and how many tokens came before it.
  let prevStart = -1;
  let prevTokens = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (isSeparator(c)) {
      i++;
      continue;
    }
    if (x.tokens.length === MAX_TOKENS - 1) {
      emitRest(x, i);
      break;
    }
    const start = i;
    let j = i;
    // What the chunk is made of (CHAR_CLASS): most chunks are a plain word or a number, with
    // trailing punctuation at most, and take a short way past emitChunk's searches.
    let shape = 0;
    while (j < n) {
      c = text.charCodeAt(j);
      if (c < 128) {
        const k = CHAR_CLASS[c]!;
        if (k <= DIGIT) {
          // A letter or digit after `,` `;` `:` makes that punctuation a delimiter, not trailing.
          shape |= (shape & TRAILED) !== 0 ? MIXED : k === LETTER ? LETTERS : DIGITS;
          j++;
          continue;
        }
        if (k === NEUTRAL) {
          j++;
          continue;
        }
        if (k === TRAIL) {
          shape |= TRAILED;
          j++;
          continue;
        }
        if (k === SPACE) break;
        shape |= MIXED;
        if (k === QUOTE && (j === start || opensQuote(text.charCodeAt(j - 1)))) {
          const close = findClose(x, j, c);
          if (close > 0) {
            j = close + 1;
            continue;
          }
        }
      } else {
        if (isSeparator(c)) break;
        shape |= MIXED;
      }
      j++;
    }
    i = j;
    const before = x.tokens.length;
    if (j - start <= MAX_TOKEN_CHARS && (shape & ~TRAILED) !== 0 && (shape & MIXED) === 0) {
      const kind = shape & ~TRAILED;
      // Letters and digits together (`dn12`, `blk_-42`, `job_1445_0020`) are one value as emitChunk
      // would mask them, unless a device's message code (`%LINK-3-UPDOWN`) names the event.
      const number = kind === DIGITS || (kind === (LETTERS | DIGITS) && text.charCodeAt(start) !== 37);
      if (number) emitNumber(x, start, j);
      if (number || (kind === LETTERS && !afterEq && emitPlainWord(x, start, j))) {
        afterEq = false;
        prevStart = start;
        prevTokens = before;
        continue;
      }
    }
    afterEq = emitChunk(x, start, j, afterEq);
    if (!afterEq && dropRestatement(x, prevStart, start, j, prevTokens, before)) {
      prevStart = -1;
      continue;
    }
    prevStart = start;
    prevTokens = before;
  }
  return { tokens: x.tokens, values: x.values, valueEnd: x.valueEnd };
}

const RESTATED = /^\(\d+(?:\.\d+)?\s*([A-Za-z]{1,3})\)$/;

/**
 * `18846 bytes (18.4 KB) received` beside `451 bytes received`: a size in
 * parentheses right after a value and its word restates that value in other
 * units, so it is dropped from the tokens (and its value from the values);
 * otherwise the same message would have two or three templates depending on
 * whether the program chose to add the restatement. The chunk(s) `(18.4 KB)`
 * or `(18.4KB)` end at `end`; only size units count (not `(pid 12)`).
 */
function dropRestatement(x: Ctx, prevStart: number, start: number, end: number, prevTokens: number, before: number): boolean {
  const text = x.text;
  if (text.charCodeAt(end - 1) !== 41) return false;
  let from: number;
  let first: number;
  if (text.charCodeAt(start) === 40) {
    from = start;
    first = before;
  } else if (prevStart >= 0 && prevTokens === before - 1 && text.charCodeAt(prevStart) === 40) {
    from = prevStart;
    first = prevTokens;
  } else return false;
  if (x.tokens.length !== before + 1 || first < 2 || end - from > 32) return false;
  const m = RESTATED.exec(text.slice(from, end));
  if (m === null || !SIZE_UNITS.has(m[1]!)) return false;
  const word = x.tokens[first - 1]!;
  if (x.tokens[first - 2] !== WILDCARD || !/^[A-Za-z]+$/.test(word)) return false;
  x.tokens.length = first;
  x.valueEnd.length = first;
  x.values.length = x.valueEnd[first - 1]!;
  x.runTok = -1;
  return true;
}

// `<134>Jun 14 ...`: a syslog PRI glued to the timestamp is a value of its own.
function syslogPriority(x: Ctx): number {
  const t = x.text;
  if (t.charCodeAt(0) !== 60) return 0;
  let k = 1;
  while (k < 5 && isDigit(t.charCodeAt(k))) k++;
  if (k === 1 || k === 5 || t.charCodeAt(k) !== 62) return 0;
  x.tokens.push(WILDCARD);
  x.values.push(t.slice(0, k + 1));
  x.valueEnd.push(1);
  x.runTok = 0;
  x.runMasked = true;
  return k + 1;
}

function emitRest(x: Ctx, from: number): void {
  x.tokens.push(WILDCARD);
  x.values.push(restore(x.text.slice(from).trimEnd(), x.extras));
  x.valueEnd.push(x.values.length);
}

/** End of `text[start, end)` less its trailing punctuation (`,` `;` `:` `.` `!` `?`), as emitChunk strips it. */
function trailStart(text: string, start: number, end: number): number {
  let b = end;
  while (b > start) {
    const k = CHAR_CLASS[text.charCodeAt(b - 1)]!;
    if (k !== NEUTRAL && k !== TRAIL) break;
    b--;
  }
  return b;
}

/**
 * emitChunk for a word of letters (and `-_.+*&#$^%!?`), with trailing punctuation at most, that is
 * no value after `=`: the same token, without emitChunk's searches. Returns false, having done
 * nothing, for a possible literal (`true`, `null`), which emitChunk masks.
 */
function emitPlainWord(x: Ctx, start: number, end: number): boolean {
  const text = x.text;
  const b = trailStart(text, start, end);
  if (LITERALS.has(text, start, b)) return false;
  x.tokens.push(text.slice(start, end));
  x.valueEnd.push(x.values.length);
  const word = wordKind(text, start, b, x.runTok >= 0 && x.runMasked);
  if (word === 0) x.runTok = -1;
  else collapse(x, start, end, x.values.length, false, word);
  return true;
}

/**
 * emitChunk for a number (digits, `.` `!` `?`), or digits among letters (`dn12`), with trailing
 * punctuation at most: one masked value, as emitChunk masks it, without the searches for URLs,
 * paths, keys and addresses it cannot be.
 */
function emitNumber(x: Ctx, start: number, end: number): void {
  const text = x.text;
  const b = trailStart(text, start, end);
  const v0 = x.values.length;
  if (isNumbered(text, start, b)) {
    // A number after `#` (`#0`, `Ticket #1234`) keeps its `#` and is no part of a run of values: it
    // numbers a frame of a PHP or GDB trace (`#0 /x.php(163): foo()`), which masked whole was any
    // value before a call.
    x.values.push(text.slice(start + 1, b));
    x.tokens.push('#' + WILDCARD + text.slice(b, end));
    x.valueEnd.push(x.values.length);
    x.runTok = -1;
    return;
  }
  x.values.push(text.slice(start, b));
  x.tokens.push(b === end ? WILDCARD : WILDCARD + text.slice(b, end));
  x.valueEnd.push(x.values.length);
  collapse(x, start, end, v0, true, 0);
}

// Characters below 128 by what they can make of a chunk. LETTER and DIGIT make words and numbers;
// NEUTRAL (`.` `!` `?`) go inside either or trail them; TRAIL (`,` `;` `:`) only trail them (inside,
// they are delimiters); SPACE separates chunks (spaces.ts, control characters too); QUOTE may open
// a quoted span; OTHER is everything emitChunk must look at. LETTER is `-_+*&#$^%` and the backtick too.
const LETTER = 0;
const DIGIT = 1;
const NEUTRAL = 2;
const TRAIL = 3;
const SPACE = 4;
const QUOTE = 5;
const OTHER = 6;
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  CHAR_CLASS[c] = isSeparator(c)
    ? SPACE
    : c === 34 || c === 39
      ? QUOTE
      : isDigit(c)
        ? DIGIT
        : '.!?'.includes(ch)
          ? NEUTRAL
          : ',;:'.includes(ch)
            ? TRAIL
            : SPECIAL_CHARS.includes(ch) || isOpen(c) || isClose(c)
              ? OTHER
              : LETTER;
}
// The classes of SPECIAL_CHARS (the others hold none of them).
const IS_SPECIAL = Uint8Array.from([LETTER, DIGIT, NEUTRAL, TRAIL, SPACE, QUOTE, OTHER], (k) => (k === DIGIT || k === TRAIL || k === QUOTE || k === OTHER ? 1 : 0));
// The chunk shapes tokenize() tells apart as it splits.
const LETTERS = 1;
const DIGITS = 2;
const TRAILED = 4;
const MIXED = 8;

// Opening brackets stay attached to the token but are not part of the value.
function isOpen(c: number): boolean {
  return c === 40 || c === 91 || c === 123 || c === 60 || c === 64; // ( [ { < @
}
// Trailing punctuation likewise: `1234,` and `5678,` must give the same token.
function isClose(c: number): boolean {
  return c === 41 || c === 93 || c === 125 || c === 62 || c === 44 || c === 59 || c === 58 || c === 46 || c === 33 || c === 63;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c) || c >= 128;
}
// Split points inside a chunk: each piece between them is masked on its own.
function isDelim(c: number): boolean {
  return c === 44 || c === 59 || c === 61 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === 124;
}

function opensQuote(prev: number): boolean {
  return prev === 61 || isOpen(prev) || prev === 58 || prev === 44;
}

// A closing quote must be followed by whitespace, punctuation or the end, so
// that apostrophes inside words do not close a quoted span.
function findClose(x: Ctx, open: number, q: number): number {
  const text = x.text;
  if (x.quoteBudget <= 0) return -1;
  const limit = Math.min(text.length, open + QUOTE_SPAN, open + x.quoteBudget);
  for (let k = open + 1; k < limit; k++) {
    if (text.charCodeAt(k) !== q) continue;
    const next = k + 1 < text.length ? text.charCodeAt(k + 1) : 32;
    if (isSeparator(next) || isClose(next) || next === q || next === 61) {
      x.quoteBudget -= k - open;
      return k;
    }
  }
  x.quoteBudget -= limit - open;
  return -1;
}

// `ws=WorkSource{10113},`: the `}` closes a bracket opened inside the core,
// so it belongs to the value rather than to the trailing punctuation; so does
// the `>` of Go's `err=<nil>`.
function closesInside(text: string, a: number, k: number): boolean {
  const c = text.charCodeAt(k);
  const open = c === 41 ? 40 : c === 93 ? 91 : c === 125 ? 123 : c === 62 ? 60 : 0;
  if (open === 0) return false;
  let depth = 0;
  for (let i = a; i < k; i++) {
    const d = text.charCodeAt(i);
    if (d === open) depth++;
    else if (d === c && depth > 0) depth--;
  }
  return depth > 0;
}

// HTTP request methods (RFC 9110 and PATCH). A quoted request line is the one
// quoted value with a fixed structure that nearly every access log writes, and
// its method tells requests apart (a DELETE where only GETs were seen).
const REQUEST_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** End of the method word when the quoted text from `from` is `METHOD target...`, else 0. */
function requestMethodEnd(text: string, from: number, close: number): number {
  const sp = text.indexOf(' ', from);
  if (sp < 0 || sp >= close - 1 || sp - from > 7) return 0;
  return REQUEST_METHODS.has(text.slice(from, sp)) ? sp : 0;
}

/** Index of the quote closing the one at `open`, skipping backslash-escaped ones; -1 if none. */
function closingQuote(text: string, open: number, q: number): number {
  let k = text.indexOf(String.fromCharCode(q), open + 1);
  while (k > 0 && text.charCodeAt(k - 1) === 92) k = text.indexOf(String.fromCharCode(q), k + 1);
  return k;
}

function restore(s: string, extras: Extra[] | null): string {
  if (extras === null || s.indexOf(SENTINEL) < 0) return s;
  return s.replace(SENT_RE, (m: string, ch: string) => extras[ch.charCodeAt(0) - SENT_BASE]?.value ?? m);
}

// Returns whether the chunk ends with '=', making the next chunk's first piece a value.
function emitChunk(x: Ctx, start: number, end: number, afterEq: boolean): boolean {
  const text = x.text;
  const v0 = x.values.length;
  if (end - start > MAX_TOKEN_CHARS) {
    x.tokens.push(WILDCARD);
    x.values.push(restore(text.slice(start, end), x.extras));
    x.valueEnd.push(x.values.length);
    collapse(x, start, end, v0, true, 0);
    return false;
  }
  let a = start;
  let b = end;
  while (a < b && isOpen(text.charCodeAt(a)) && !comparesAt(text, a, b)) a++;
  // `[2001:db8::1]:443`: keep an opener whose closer is inside the chunk.
  if (a > start && text.charCodeAt(a - 1) === 91 && text.indexOf(']', a) > 0 && text.indexOf(']', a) < b - 1) a--;
  let token: string;
  let masked: boolean;
  const q = text.charCodeAt(a);
  let last = -1;
  if (q === 34 || q === 39) {
    // Whole-token quotes only: `{"a":"b"}` is structure, not one quoted value.
    last = text.lastIndexOf(text[a]!, b - 1);
    let k = last + 1;
    while (k < b && isClose(text.charCodeAt(k))) k++;
    if (last <= a || k !== b || closingQuote(text, a, q) !== last) last = -1;
  }
  if (last > 0) {
    // (Two tokens only where the line has room for them and its rest.)
    const verb = x.tokens.length < MAX_TOKENS - 2 ? requestMethodEnd(text, a + 1, last) : 0;
    if (verb > 0) {
      // `"GET /v2/servers HTTP/1.1"`: the method is a token of its own.
      x.tokens.push(text.slice(start, verb));
      x.valueEnd.push(x.values.length);
      x.runTok = -1;
      token = WILDCARD + text.slice(last, end);
      x.values.push(restore(text.slice(verb + 1, last), x.extras));
    } else {
      token = text.slice(start, a + 1) + WILDCARD + text.slice(last, end);
      x.values.push(restore(text.slice(a + 1, last), x.extras));
    }
    masked = true;
  } else {
    while (b > a && isClose(text.charCodeAt(b - 1)) && !closesInside(text, a, b - 1)) b--;
    if (a === b) {
      token = text.slice(start, end);
      masked = false;
    } else {
      const core = text.slice(a, b);
      let m = core;
      if (afterEq || !isPlainWord(text, a, b)) {
        x.inBrackets = a > start && text.charCodeAt(a - 1) === 91 && b < end && text.charCodeAt(b) === 93;
        m = maskCore(x, core, afterEq);
        masked = x.allMasked;
      } else if (isLiteral(core)) {
        m = maskValue(x, core);
        masked = true;
      } else masked = false;
      token = m === core && a === start && b === end ? core : text.slice(start, a) + m + text.slice(b, end);
    }
  }
  x.tokens.push(token);
  x.valueEnd.push(x.values.length);
  // A bracketed or quoted value is structure (`[<*>]`), not part of a run of values.
  const bracketed = (a > start && text.charCodeAt(start) !== 64) || last > 0;
  const word = masked ? 0 : wordKind(text, a, b, x.runTok >= 0 && x.runMasked);
  collapse(x, start, end, v0, masked && !bracketed, word);
  return text.charCodeAt(end - 1) === 61;
}

// `<1 sec` beside `00:01`: an unclosed `<` before a number compares, and is
// part of the value rather than a bracket around it.
function comparesAt(text: string, a: number, end: number): boolean {
  if (text.charCodeAt(a) !== 60 || !isDigit(text.charCodeAt(a + 1))) return false;
  const k = text.indexOf('>', a + 1);
  return k < 0 || k >= end;
}

// Adjacent variable tokens become one `<*>` so that variable-length values
// (dates, lists of numbers, stack addresses, `5.2 KB`) give the same token count.
// A name with digits (`ubuntu1`, `web01`) and an IP address beside it are two values: the same
// name without digits (`admin`) is a word and stays a token of its own, so `invalid user ubuntu1
// 10.0.0.5` collapsed into one `<*>` had a token fewer than `invalid user admin 10.0.0.5` and was
// another template (a host's next user name with a digit was then an unusual value). Only that
// pair: a syslog header's host name joins the time beside it whatever it is (`dn228`, `#8#`).
function collapse(x: Ctx, start: number, end: number, v0: number, masked: boolean, word: number): void {
  const extend = masked || word === DATE || (word === UNIT && x.runTok >= 0 && x.runMasked);
  if (!extend) {
    x.runTok = -1;
    return;
  }
  const t = x.tokens.length - 1;
  // A name starts with a letter: most runs (times, dates, number lists) are settled by their
  // first characters, without a look at the pieces.
  const last = x.lastStart;
  const apart =
    last >= 0 && x.runTok >= 0 && masked && !(isDigit(x.text.charCodeAt(start)) && isDigit(x.text.charCodeAt(last))) && nameBesideAddress(x.text, last, x.lastEnd, start, end);
  x.lastStart = masked ? start : -1;
  x.lastEnd = end;
  if (x.runTok < 0 || apart) {
    x.runTok = t;
    x.runStart = start;
    x.runVals = v0;
    x.runMasked = masked;
    x.runJoined = false;
    return;
  }
  x.runMasked ||= masked;
  if (!x.runMasked) return;
  const r = x.runTok;
  // With extra rules, the value so far is kept and only the new piece restored: restoring the whole
  // run at every piece took seconds on a line of thousands of matches in a row (O(n²)). A rule's
  // placeholder never spans two pieces: pieces end at spaces and ASCII delimiters.
  const value =
    x.extras !== null && x.runJoined ? x.values[x.runVals]! + restore(x.text.slice(x.runEnd, end), x.extras) : restore(x.text.slice(x.runStart, end), x.extras);
  // pop(), not `length =`: shrinking by the length setter is a call into the runtime, which a long
  // run of values paid at every piece (a line of about 95 host names in a row took 115 µs).
  const { tokens, valueEnd, values } = x;
  while (tokens.length > r) {
    tokens.pop();
    valueEnd.pop();
  }
  while (values.length > x.runVals) values.pop();
  tokens.push(WILDCARD);
  values.push(value);
  valueEnd.push(values.length);
  x.runJoined = true;
  x.runEnd = end;
}

const OTHER_PIECE = 0;
const NAME_PIECE = 1;
const ADDRESS_PIECE = 2;

/** Whether two adjacent masked pieces are a name with digits and an address, in either order. */
function nameBesideAddress(text: string, a0: number, a1: number, b0: number, b1: number): boolean {
  const a = pieceKind(text, a0, a1);
  if (a === OTHER_PIECE) return false;
  const b = pieceKind(text, b0, b1);
  return b !== OTHER_PIECE && a !== b;
}

/**
 * A masked piece's kind, as far as runs care, trailing punctuation aside: an IP address (IPv4 with
 * a port at most; IPv6, bracketed or with a zone, or a MAC address: hex and colons, `::` or three
 * colons at least), a name
 * with digits (a letter first, then letters, digits, `_`, `-` or `.`), or anything else.
 */
function pieceKind(text: string, start: number, end: number): number {
  let b = trailStart(text, start, end);
  // `[2001:db8::1]:443`: the address in its brackets.
  if (text.charCodeAt(start) === 91) {
    const close = text.indexOf(']', start);
    if (close < 0 || close >= b) return OTHER_PIECE;
    start++;
    b = close;
  }
  let digits = 0;
  let letters = 0;
  let beyondHex = false;
  let colons = 0;
  let double = false;
  let dots = 0;
  let joiners = 0;
  for (let k = start; k < b; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57) digits++;
    else if (isLetter(c)) {
      letters++;
      if ((c | 32) > 102) beyondHex = true;
    } else if (c === 58) {
      colons++;
      if (text.charCodeAt(k - 1) === 58) double = true;
    } else if (c === 46) dots++;
    else if (c === 95 || c === 45) joiners++;
    else if (c === 37 && colons >= 2) break; // an IPv6 zone: `fe80::1%eth0`
    else return OTHER_PIECE;
  }
  if (digits === 0) return OTHER_PIECE;
  if (letters === 0 && joiners === 0 && dots === 3 && colons <= 1) return ADDRESS_PIECE;
  if (!beyondHex && joiners === 0 && (double || colons >= 3)) return ADDRESS_PIECE;
  return colons === 0 && isLetter(text.charCodeAt(start)) ? NAME_PIECE : OTHER_PIECE;
}

const DATE = 1;
const UNIT = 2;
// Units join the value before them (`93.0 B`); case matters (`B` yes, `b` no).
const SIZE_UNIT_LIST = 'B KB kB MB GB TB PB KiB MiB GiB TiB'.split(' ');
const SIZE_UNITS = new Set(SIZE_UNIT_LIST);
const UNIT_WORDS = new Set([...SIZE_UNIT_LIST, ...'Kb Mb Gb bps Kbps Mbps Gbps ms us \u00b5s ns s sec secs min mins h hrs Hz kHz MHz GHz %'.split(' ')]);

// Month, weekday and zone names join an adjacent value, but only when
// capitalized, so that the verb "may" is left alone.
function wordKind(text: string, a: number, b: number, afterValue: boolean): number {
  const n = b - a;
  if (n > 9) return 0;
  const c = text.charCodeAt(a);
  const upper = c >= 65 && c <= 90;
  if (!upper && !afterValue) return 0;
  if (afterValue && n <= 4 && UNIT_WORDS.has(text.slice(a, b))) return UNIT;
  return upper && n >= 3 && isCalendarWord(text, a, b) ? DATE : 0;
}

/** A token (part) without any of SPECIAL_CHARS (or an extra rule's placeholder) is a plain word and skips the masking rules. */
function isPlainWord(text: string, a: number, b: number): boolean {
  for (let k = a; k < b; k++) {
    const c = text.charCodeAt(k);
    if (c < 128 ? IS_SPECIAL[CHAR_CLASS[c]!] === 1 : c >= 0xe000 && c < 0xf900) return false;
  }
  return true;
}

function maskValue(x: Ctx, s: string): string {
  const q = s.charCodeAt(0);
  if ((q === 34 || q === 39) && s.length >= 2 && s.charCodeAt(s.length - 1) === q) {
    x.values.push(restore(s.slice(1, -1), x.extras));
    return s[0] + WILDCARD + s[0];
  }
  x.values.push(restore(s, x.extras));
  return sentinelToken(x, s) ?? WILDCARD;
}

function sentinelToken(x: Ctx, s: string): string | null {
  if (x.extras === null) return null;
  const k = s.indexOf(SENTINEL);
  if (k < 0 || k + 1 >= s.length) return null;
  return x.extras[s.charCodeAt(k + 1) - SENT_BASE]?.token ?? null;
}

// Masks one punctuation-stripped chunk. Whole-value shapes (URL, path, e-mail,
// IPv6/MAC) first; otherwise the chunk is cut at delimiters and each piece is
// masked on its own, keeping `key=` and `key:` prefixes.
function maskCore(x: Ctx, core: string, afterEq: boolean): string {
  // `logname= uid=0`: an empty value followed by the next pair.
  if (afterEq && core.indexOf('=') > 0) afterEq = false;
  if (afterEq || isWholeVariable(core) || (x.extras !== null && isSentinelOnly(core))) {
    x.allMasked = true;
    return maskValue(x, core);
  }
  const n = core.length;
  let out = '';
  let p = 0;
  let eq = false;
  let all = true;
  let any = false;
  while (p < n) {
    let e = p;
    const q = core.charCodeAt(p);
    if (eq && q !== 34 && q !== 39) e = valueEnd(core, p);
    else {
      while (e < n) {
        const c = core.charCodeAt(e);
        // Quoted text (`"a,b"`, JSON `"k":"v w"`) is not cut at delimiters.
        if ((c === 34 || c === 39) && (e === p || core.charCodeAt(e - 1) === 58)) {
          const close = closingQuote(core, e, c);
          if (close > 0) {
            e = close + 1;
            continue;
          }
        }
        if (isDelim(c)) break;
        e++;
      }
    }
    if (e > p) {
      const piece = core.slice(p, e);
      const d = e < n ? core.charCodeAt(e) : 0;
      // A key (`p99=`) stays, whatever it looks like.
      const m = d === 61 && !eq ? piece : maskPiece(x, piece, eq, d === 40, x.inBrackets && p === 0 && e === n);
      if (m !== piece) {
        any = true;
        // `key:<*>` keeps wording; only a bare `<*>`, `"<*>"` or `<name>` is all value.
        if (m.charCodeAt(0) !== 60 && m.charCodeAt(1) !== 60) all = false;
      } else if (hasAlnum(piece)) all = false;
      out += m;
    }
    if (e < n) {
      eq = core.charCodeAt(e) === 61;
      out += core[e];
    }
    p = e + 1;
  }
  x.allMasked = any && all;
  return out;
}

// A value after `=` runs to the next `,` `;` `&` outside brackets, so that
// `a=Info{x/y}` masks the whole `Info{x/y}`; an unmatched closer ends it.
function valueEnd(core: string, p: number): number {
  let depth = 0;
  let e = p;
  for (; e < core.length; e++) {
    const c = core.charCodeAt(e);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (c === 44 || c === 59 || c === 38)) break;
  }
  return e;
}

function maskPiece(x: Ctx, piece: string, afterEq: boolean, beforeParen: boolean, bracketed: boolean): string {
  if (afterEq) return maskValue(x, piece);
  const n = piece.length;
  let digit = false;
  let colon = -1;
  let slashes = 0;
  let dots = 0;
  for (let k = 0; k < n; k++) {
    const c = piece.charCodeAt(k);
    if (isDigit(c)) digit = true;
    else if (c === 58 && colon < 0) colon = k;
    else if (c === 47) slashes++;
    else if (c === 46) dots++;
  }
  // `isOverlap:false`, `index:0`: a letters-only key glued to its value. After
  // `::` only a value with digits is one (`onTouchEvent::0`): a scoped name such
  // as `AppleCamIn::handleWakeEvent_gated` is wording.
  if (colon >= 2 && colon < n - 1 && piece.charCodeAt(colon + 1) !== 47 && isKey(piece, colon)) {
    const from = piece.charCodeAt(colon + 1) === 58 ? colon + 2 : colon + 1;
    // A level after a module, a bracket's whole text (Apache 2.4's `[core:error]`, `[ssl:warn]`), is
    // the line's level, wording as a header's `[error]` is: masked, `[core:error]` and
    // `[core:notice]` lines were one template. Elsewhere (`severity:warn`) it is a value.
    if (bracketed && from === colon + 1 && LEVELS.has(piece, from, n)) return piece;
    if (from === colon + 1 || (digit && from < n)) return piece.slice(0, from) + maskValue(x, piece.slice(from));
    if (!digit) return piece;
  }
  // A kernel frame's symbol and offset (`nfs4_proc_getattr+0x6a/0x100`): the symbol is wording,
  // the function that was running; masked whole, every frame of a trace was one `<*>`.
  if (digit && slashes === 1) {
    const plus = kernelOffset(piece);
    if (plus > 0) return piece.slice(0, plus + 1) + maskValue(x, piece.slice(plus + 1));
  }
  // A name followed by `(` is a function, even with digits: `jk2_init()`; a device's message
  // code (`%LINK-3-UPDOWN`, `%ASA-6-302013`) names the event.
  if (digit && !(beforeParen && isIdentifier(piece)) && !isDeviceCode(piece)) return maskValue(x, piece);
  if (!digit && x.extras !== null && piece.indexOf(SENTINEL) >= 0) return maskValue(x, piece);
  if (digit || n < 3) return piece;
  // Paths and component names: `a/b/c`, `com.x/.Main`; not `TCP/IP` or `read/write`.
  if (slashes >= 2 || (slashes === 1 && dots >= 1) || piece.charCodeAt(0) === 47) return maskValue(x, piece);
  if (isLiteral(piece)) return maskValue(x, piece);
  return piece;
}

/** `symbol+0xOFFSET/0xLENGTH`, as the kernel writes a frame: where its `+` is, else -1. */
const KERNEL_OFFSET = /^[A-Za-z_.$][\w.$]*\+0x[0-9a-f]+\/0x[0-9a-f]+$/;
function kernelOffset(piece: string): number {
  const plus = piece.indexOf('+0x');
  return plus > 0 && KERNEL_OFFSET.test(piece) ? plus : -1;
}

// (FoldedWords holds words of up to 9 letters: `information` is no module's level.)
const LEVELS = new FoldedWords(new Set([...LEVEL_WORDS.keys()].filter((w) => w.length <= 9)));

// Literal values that are never part of a statement's wording, in any case.
const LITERALS = new FoldedWords(new Set(['true', 'false', 'null', 'nil', 'undefined', 'nan']));

function isLiteral(s: string): boolean {
  return LITERALS.has(s, 0, s.length);
}

function isKey(s: string, end: number): boolean {
  let k = 0;
  // JSON-style `"key":`
  if (s.charCodeAt(0) === 34 && end > 2 && s.charCodeAt(end - 1) === 34) {
    k = 1;
    end--;
  }
  for (; k < end; k++) {
    const c = s.charCodeAt(k);
    if (!isAlpha(c) && c !== 95 && c !== 45 && c !== 46) return false;
  }
  return true;
}

/** text[start, end) is `#` and digits only: `#0`, `#1234`. */
function isNumbered(text: string, start: number, end: number): boolean {
  if (end - start < 2 || text.charCodeAt(start) !== 35) return false;
  for (let k = start + 1; k < end; k++) if (!isDigit(text.charCodeAt(k))) return false;
  return true;
}

function isIdentifier(s: string): boolean {
  if (!isAlpha(s.charCodeAt(0)) && s.charCodeAt(0) !== 95) return false;
  for (let k = 1; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (!isAlnum(c) && c !== 95 && c !== 46 && c !== 36) return false;
  }
  return true;
}

function hasAlnum(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (isAlnum(s.charCodeAt(k))) return true;
  return false;
}

function isSentinelOnly(s: string): boolean {
  return s.length === 2 && s.charCodeAt(0) === 0xe000;
}

const EMAIL_RE = /^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
/**
 * A user at a host or a database without a domain: PostgreSQL's `%u@%d` prefix (`app@shop`,
 * `grafana@analytics`: a template per role before), a shell's `root@web01`. Names of letters,
 * digits, `_`, `-` and `.` on both sides, a letter or `_` first.
 */
const USER_AT_HOST_RE = /^[A-Za-z_][\w.-]*@[A-Za-z_][\w.-]*$/;

// `db.example.com:5432`: a lower-case DNS name of three labels or more with a
// port is one value (not the key `db.example.com` and its value), like an IPv4
// address with a port. Upper case is left alone: `org.apache.Foo:12` names code.
const HOST_PORT_RE = /^[a-z0-9-]+(?:\.[a-z0-9-]+){2,}\.?:\d{1,5}$/;

/** Values masked as a whole, before cutting at delimiters: URLs, paths, e-mail, host:port, IPv6/MAC. */
function isWholeVariable(core: string): boolean {
  const n = core.length;
  const c0 = core.charCodeAt(0);
  if (c0 === 47 && n > 1) return true; // /absolute/path
  if (c0 === 92 && core.charCodeAt(1) === 92) return true; // \\unc\path
  if (n > 2 && core.charCodeAt(1) === 58 && isAlpha(c0) && (core.charCodeAt(2) === 92 || core.charCodeAt(2) === 47)) return true; // C:\path
  if (c0 === 126 || c0 === 46) {
    if (core.startsWith('~/') || core.startsWith('./') || core.startsWith('../')) return true;
  }
  const scheme = core.indexOf('://');
  if (scheme > 0 && isKey(core, scheme)) return true;
  if (core.indexOf('@') > 0 && (EMAIL_RE.test(core) || USER_AT_HOST_RE.test(core))) return true;
  // The regex only after its `:` (it ran on every masked chunk: 1% of training).
  if (core.indexOf(':') > 0 && HOST_PORT_RE.test(core)) return true;
  // IPv6 (possibly bracketed with a port) and MAC: hex digits and colons only.
  let colons = 0;
  let digits = 0;
  for (let k = 0; k < n; k++) {
    const c = core.charCodeAt(k);
    if (c === 58) colons++;
    else if (isDigit(c)) digits++;
    else if (!((c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 46 || c === 91 || c === 93 || c === 45)) return false;
  }
  return colons >= 2 && (digits > 0 || colons >= 5);
}
