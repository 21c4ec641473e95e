// New messages the host keeps writing after training. A model is retrained on
// a schedule (weekly by default); a message a deployment introduced on Monday
// would otherwise be "new" on every line until Sunday. Each new message (its
// constant words) is remembered here with its separate occasions, counted as
// training counts them (trainer.ts: bursts dampened, repetitions of one line
// counted once), and a recurring one is judged as a known template with the
// count those occasions would mean over the training period, step by step:
// still unusual when it first comes back, routine once it keeps coming back.
//
// Only the benign part of the evidence (novelty, rarity) falls: failure words
// keep their weight, so a recurring error stays an error. Less familiarity
// never lowers a score, so forgetting (a restart, a retraining, eviction) can
// only flag more, never lose an anomaly.

import { GAP_SHARE, MIN_GAP, occasionWeight, repeatsOccasion } from './trainer.js';

/** Occasions after which a recurring new message has come half the way to a known template (detector.ts). */
export const FAMILIAR_HALF = 2;

/** New messages remembered per model; the least recently seen are forgotten beyond it. */
export const FAMILIAR_MAX = 1024;

interface Entry {
  /** Index (lines scored) of the latest line. */
  last: number;
  /** Weight of the closed occasions, and different lines in the open one. */
  closed: number;
  run: number;
  runLines: number[] | null;
}

/** What scoring needs: a running count of scored lines and the occasions of each new message. */
export interface FamiliarityLog {
  /** Lines scored so far. */
  readonly lines: number;
  /**
   * Occasion weight of the earlier lines of this new message (0 the first
   * time), then records this line (`text` tells a repetition from another line).
   */
  observe(key: number, text: string, trainedLines: number): number;
  /** Counts one scored line. */
  tick(): void;
}

function weightOf(e: Entry): number {
  return e.closed + occasionWeight(e.run);
}

/** Records a line of the message at line index `at`; returns the weight before it. */
function record(e: Entry, at: number, text: string, gap: number): number {
  const before = weightOf(e);
  if (at - e.last > gap) {
    e.closed += occasionWeight(e.run);
    e.run = 0;
    e.runLines = null;
  }
  if (!repeatsOccasion(e, text)) e.run++;
  e.last = at;
  return before;
}

function gapAt(trainedLines: number, lines: number): number {
  return Math.max(MIN_GAP, (trainedLines + lines) * GAP_SHARE);
}

function fresh(at: number): Entry {
  return { last: at, closed: 0, run: 0, runLines: null };
}

export class Familiarity implements FamiliarityLog {
  private readonly entries = new Map<number, Entry>();
  private scored = 0;

  get lines(): number {
    return this.scored;
  }

  get size(): number {
    return this.entries.size;
  }

  observe(key: number, text: string, trainedLines: number): number {
    let e = this.entries.get(key);
    if (e === undefined) e = fresh(this.scored);
    else this.entries.delete(key);
    const before = record(e, this.scored, text, gapAt(trainedLines, this.scored));
    this.put(key, e);
    return before;
  }

  tick(): void {
    this.scored++;
  }

  /**
   * A draft for one batch: it reads this log and records into a copy, which
   * `commit()` makes the log's own. A batch that fails is scored again
   * against the log as it was, so a retry sees no line twice.
   */
  draft(): FamiliarityDraft {
    return new FamiliarityDraft(this);
  }

  /** @internal */
  peek(key: number): Entry | undefined {
    return this.entries.get(key);
  }

  /** @internal Takes a draft's state. */
  adopt(entries: Map<number, Entry>, lines: number): void {
    for (const [key, e] of entries) {
      this.entries.delete(key);
      this.put(key, e);
    }
    this.scored = lines;
  }

  private put(key: number, e: Entry): void {
    this.entries.set(key, e);
    if (this.entries.size > FAMILIAR_MAX) this.entries.delete(this.entries.keys().next().value!);
  }
}

export class FamiliarityDraft implements FamiliarityLog {
  private readonly touched = new Map<number, Entry>();
  private scored: number;
  private committed = false;

  constructor(private readonly base: Familiarity) {
    this.scored = base.lines;
  }

  get lines(): number {
    return this.scored;
  }

  observe(key: number, text: string, trainedLines: number): number {
    let e = this.touched.get(key);
    if (e === undefined) {
      const b = this.base.peek(key);
      e = b === undefined ? fresh(this.scored) : { ...b, runLines: b.runLines === null ? null : b.runLines.slice() };
      this.touched.set(key, e);
    }
    return record(e, this.scored, text, gapAt(trainedLines, this.scored));
  }

  tick(): void {
    this.scored++;
  }

  /** Makes the draft's lines part of the log (once). */
  commit(): void {
    if (this.committed) throw new Error('familiarity draft committed twice');
    this.committed = true;
    this.base.adopt(this.touched, this.scored);
  }
}
