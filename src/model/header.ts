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

/** Positions and their header token: a token more than HEADER_SHARE of the lines hold there (never a line's last token). */
export function headerOf(lines: readonly (readonly string[])[]): Array<[number, string]> {
  if (lines.length < HEADER_MIN_LINES) return [];
  const counts: Array<Map<string, number>> = Array.from({ length: HEADER_SPAN }, () => new Map());
  for (const tokens of lines) {
    const end = Math.min(HEADER_SPAN, tokens.length - 1);
    for (let p = 0; p < end; p++) {
      const c = counts[p]!;
      c.set(tokens[p]!, (c.get(tokens[p]!) ?? 0) + 1);
    }
  }
  const out: Array<[number, string]> = [];
  counts.forEach((c, p) => {
    for (const [tok, n] of c) if (n > HEADER_SHARE * lines.length) out.push([p, tok]);
  });
  return out;
}

/**
 * Holds back a miner's first lines until the header is known (HEADER_SAMPLE
 * lines, or the end of the input), then hands every line on in order.
 */
export class HeaderWarmup {
  private pending: Array<{ text: string; tok: Tokenized }> | null = [];

  constructor(
    private readonly miner: TemplateMiner,
    private readonly sink: (text: string, tok: Tokenized) => void,
  ) {}

  /** Whether the header is known and lines go straight on. */
  get done(): boolean {
    return this.pending === null;
  }

  /** Lines held back so far. */
  get held(): number {
    return this.pending?.length ?? 0;
  }

  push(text: string, tok: Tokenized): void {
    const pending = this.pending;
    if (pending === null) return this.sink(text, tok);
    pending.push({ text, tok });
    if (pending.length >= HEADER_SAMPLE) this.flush();
  }

  /** Ends the warm-up (at the latest when the input ends). */
  flush(): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    this.miner.setHeader(headerOf(pending.map((l) => l.tok.tokens)));
    for (const l of pending) this.sink(l.text, l.tok);
  }
}
