// A host's header: what most of its lines carry before the message. Raw
// syslog lines start `<*> gateway sshd[<*>]: ...` (timestamp masked, constant
// host name), Java logs `<*> INFO [main] ...`. Those tokens agree between any
// two lines, so to a Drain-like miner two different short messages look half
// alike and merge into templates of nothing but `<*>`. The miner leaves them
// out of similarity and keys its tree by the message (miner.setHeader); they
// are found on the first lines the host wrote, before anything is mined.

import { WILDCARD, isBlank, type Tokenized } from './mask.js';
import type { TemplateMiner } from './miner.js';
import { FoldedWords } from './folded-words.js';
import { bracketLevelWord, isBracketOnlyLevel } from './level-word.js';

/** Lines looked at to find the header (the first ones of the training data). */
export const HEADER_SAMPLE = 1000;
/** Fewer lines than this show no header: on a handful of lines every word looks shared. */
export const HEADER_MIN_LINES = 20;
/** Header tokens are found among a line's first positions only... */
export const HEADER_SPAN = 6;
/** ...and are held there by more than this share of all lines. */
export const HEADER_SHARE = 0.5;

// A bracketed field in the header, such as a Java thread name (`%d %p [%t] %c: %m`): `[main]`,
// `[IPC Server handler 13 on 62270]`, `[RMCommunicator Allocator]`. Its words vary from thread to
// thread and its length in tokens too, so the same message written by two threads would be two
// templates, and every token after it would be out of place. When most lines open a bracket at
// the same header position, that field (to its closing bracket) is one `<*>` token of the header.

/** Tokens a bracketed header field may span. */
const FIELD_TOKENS = 12;
/** A bracketed level (`[error]`, Apache) is the line's severity, not a field to hide. */
const LEVEL_WORDS = new Set([
  'emerg', 'alert', 'crit', 'critical', 'err', 'error', 'severe', 'fatal', 'warn', 'warning', 'notice', 'info', 'debug', 'trace', 'verbose',
]);

/** A parameter of RFC 5424 structured data as masked: `name="<*>"`, the last one glued to its bracket (and to the next element: `eventID="<*>"][<*>`). */
const SD_PARAM = /^[^\s="\]]+="<\*>"(?:\].*)?$/;

/**
 * Whether the bracket p..q holds RFC 5424 structured data (`[req@32473 id="83f1" status="404"]`):
 * every token after its name a parameter. Its parameters are fields of their own (values judged
 * one by one, a new parameter a new field: core.ts withAddedFields), not a thread's name to hide.
 */
function isStructuredData(tokens: readonly string[], p: number, q: number): boolean {
  for (let k = p + 1; k <= q; k++) if (!SD_PARAM.test(tokens[k]!)) return false;
  return true;
}

/** Index of the last token of the bracketed field opening at p; -1 when none opens there or it does not close in time. */
export function fieldEnd(tokens: readonly string[], p: number): number {
  const first = tokens[p];
  if (first === undefined || first.charCodeAt(0) !== 91) return -1; // [
  let depth = 0;
  const end = Math.min(tokens.length - 1, p + FIELD_TOKENS);
  for (let k = p; k < end; k++) {
    const t = tokens[k]!;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 91) depth++;
      else if (c === 93 && --depth === 0) {
        if (k === p && (isBracketedLevel(t.slice(1, i)) || gluedLevelAfter(t, i))) return -1;
        return k > p && isStructuredData(tokens, p, k) ? -1 : k;
      }
    }
  }
  return -1;
}

const LEVELS = new FoldedWords(LEVEL_WORDS);

/**
 * Whether the bracket after the one closing at `close` of token t, glued to it, holds a level:
 * Elasticsearch, Logstash and OpenSearch write `[<time>][ERROR][o.e.c.Service]` (`[<time>][INFO `,
 * padded to five). Collapsed as a field with the time, the level was a value of the header, and an
 * ERROR line of a routine message read as routine.
 */
function gluedLevelAfter(t: string, close: number): boolean {
  if (t.charCodeAt(close + 1) !== 91) return false; // [
  const end = t.indexOf(']', close + 2);
  return isLevel(t.slice(close + 2, end < 0 ? t.length : end).trim());
}

/**
 * Whether a bracket's text is a level: a level name (`[error]`), after a module (Apache 2.4's
 * `[core:error]`), or MySQL's `[Note]` (a word of a message outside brackets: `Note that ...`).
 */
export function isBracketedLevel(inner: string): boolean {
  const w = bracketLevelWord(inner);
  return isLevel(w) || isBracketOnlyLevel(w);
}

/** Whether the word is a level name (any case), as a header writes a line's severity (without copying it: the miner asks this of wording). */
export function isLevel(word: string): boolean {
  return LEVELS.has(word, 0, word.length);
}

/** The line with its bracketed field at p (if it has one) as one `<*>`, its text the field's value. */
export function collapseField(tok: Tokenized, p: number): Tokenized {
  const q = fieldEnd(tok.tokens, p);
  if (q < 0) return tok;
  const { tokens, values, valueEnd } = tok;
  const from = p === 0 ? 0 : valueEnd[p - 1]!;
  const to = valueEnd[q]!;
  const removed = to - from - 1;
  return {
    tokens: [...tokens.slice(0, p), WILDCARD, ...tokens.slice(q + 1)],
    values: [...values.slice(0, from), tokens.slice(p, q + 1).join(' '), ...values.slice(to)],
    valueEnd: [...valueEnd.slice(0, p), from + 1, ...valueEnd.slice(q + 1).map((e) => e - removed)],
  };
}

/** Counts, line by line, the tokens at each of the first HEADER_SPAN positions. */
export class HeaderCounter {
  private readonly counts: Array<Map<string, number>> = Array.from({ length: HEADER_SPAN }, () => new Map());
  /** Lines opening a bracketed field at each position. */
  private readonly fields = new Int32Array(HEADER_SPAN);
  private lines = 0;

  add(tokens: readonly string[]): void {
    this.lines++;
    const end = Math.min(HEADER_SPAN, tokens.length - 1);
    for (let p = 0; p < end; p++) {
      const c = this.counts[p]!;
      const tok = tokens[p]!;
      c.set(tok, (c.get(tok) ?? 0) + 1);
      if (tok.charCodeAt(0) === 91 && fieldEnd(tokens, p) >= 0) this.fields[p]++;
    }
  }

  /** The first position where more than HEADER_SHARE of the lines open a bracketed field; -1 for none. */
  field(): number {
    if (this.lines < HEADER_MIN_LINES) return -1;
    return this.fields.findIndex((n) => n > HEADER_SHARE * this.lines);
  }

  /** Positions and their header token: a token more than HEADER_SHARE of the lines hold there (never a line's last token). */
  header(): Array<[number, string]> {
    if (this.lines < HEADER_MIN_LINES) return [];
    const out: Array<[number, string]> = [];
    this.counts.forEach((c, p) => {
      for (const [tok, n] of c) if (n > HEADER_SHARE * this.lines) out.push([p, tok]);
    });
    return out;
  }
}

/** The header of these tokenized lines (HeaderCounter.header). */
export function headerOf(lines: readonly (readonly string[])[]): Array<[number, string]> {
  const counter = new HeaderCounter();
  for (const tokens of lines) counter.add(tokens);
  return counter.header();
}

/**
 * Holds back a miner's first lines until the header is known (HEADER_SAMPLE
 * lines, or the end of the input), then hands every line on in order. Only
 * the texts are held and tokenized again at the end: a thousand tokenized
 * lines kept alive make V8 allocate every later line's tokens in the old
 * generation (pretenuring), which tripled training's garbage collection.
 */
export class HeaderWarmup {
  private pending: string[] | null = [];
  private readonly counter = new HeaderCounter();

  constructor(
    private readonly miner: TemplateMiner,
    private readonly sink: (text: string, tok: Tokenized) => void,
  ) {}

  /** Lines held back so far. */
  get held(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Tokenizes the line with the miner's masks (or takes it as `masked`, see miner.fromMasked);
   * hands it on, or holds it back. A blank line is no message and is dropped (training and
   * `templates` alike; scoring gives it 0, see core.ts).
   */
  push(text: string, masked?: Tokenized): void {
    if (isBlank(text)) return;
    const tok = masked === undefined ? this.miner.tokenize(text) : this.miner.fromMasked(masked);
    const pending = this.pending;
    if (pending === null) return this.sink(text, tok);
    pending.push(text);
    this.counter.add(tok.tokens);
    if (pending.length >= HEADER_SAMPLE) this.flush();
  }

  /** Ends the warm-up (at the latest when the input ends). */
  flush(): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    const field = this.counter.field();
    let header = this.counter.header();
    if (field >= 0) {
      // The tokens after the field are in place only once it is one token: count them again.
      const again = new HeaderCounter();
      for (const text of pending) again.add(collapseField(this.miner.tokenize(text), field).tokens);
      header = again.header();
    }
    this.miner.setHeader(header, field);
    for (const text of pending) this.sink(text, this.miner.tokenize(text));
  }
}

/** A miner that learned these lines as training does: header first. */
export function learnAll(miner: TemplateMiner, lines: Iterable<string>): TemplateMiner {
  const warmup = new HeaderWarmup(miner, (_, tok) => miner.addTokenized(tok));
  for (const l of lines) warmup.push(l);
  warmup.flush();
  return miner;
}
