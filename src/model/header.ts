// A host's header: what most of its lines carry before the message. Raw
// syslog lines start `<*> gateway sshd[<*>]: ...` (timestamp masked, constant
// host name), Java logs `<*> INFO [main] ...`. Those tokens agree between any
// two lines, so to a Drain-like miner two different short messages look half
// alike and merge into templates of nothing but `<*>`. The miner leaves them
// out of similarity and keys its tree by the message (miner.setHeader); they
// are found on the first lines the host wrote, before anything is mined.

import type { Tokenized } from './mask.js';
import type { TemplateMiner } from './miner.js';

/** Lines looked at to find the header (the first ones of the training data). */
export const HEADER_SAMPLE = 1000;
/** Fewer lines than this show no header: on a handful of lines every word looks shared. */
export const HEADER_MIN_LINES = 20;
/** Header tokens are found among a line's first positions only... */
export const HEADER_SPAN = 6;
/** ...and are held there by more than this share of all lines. */
export const HEADER_SHARE = 0.5;

/** Counts, line by line, the tokens at each of the first HEADER_SPAN positions. */
export class HeaderCounter {
  private readonly counts: Array<Map<string, number>> = Array.from({ length: HEADER_SPAN }, () => new Map());
  private lines = 0;

  add(tokens: readonly string[]): void {
    this.lines++;
    const end = Math.min(HEADER_SPAN, tokens.length - 1);
    for (let p = 0; p < end; p++) {
      const c = this.counts[p]!;
      const tok = tokens[p]!;
      c.set(tok, (c.get(tok) ?? 0) + 1);
    }
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

  /** Tokenizes the line with the miner's masks; hands it on, or holds it back. */
  push(text: string): void {
    const tok = this.miner.tokenize(text);
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
    this.miner.setHeader(this.counter.header());
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
