// New messages the host keeps writing after training. A model is retrained on
// a schedule (weekly by default); a message a deployment introduced on Monday
// would otherwise be "new" on every line until Sunday. Each new message (its
// constant words) is remembered here with its separate occasions, counted as
// training counts them (occasions.ts: a burst is about one occasion, a
// repeated line counts once), and a recurring one is judged as a known
// template with the count those occasions would mean over the training
// period, step by step: still unusual when it first comes back, routine once
// it keeps coming back.
//
// Only the benign part of the evidence (novelty, rarity) falls: failure words
// keep their weight, so a recurring error stays an error. Forgetting (a
// restart, a retraining, eviction) counts a message's occasions from zero
// again: its next lines score as new, never lower.

import { noteOccasion, occasionGap, occasionsWeight, type Occasions } from './occasions.js';

/** Occasions after which a recurring new message has come half the way to a known template (detector.ts). */
export const FAMILIAR_HALF = 2;

/** New messages remembered per model; the least recently seen are forgotten beyond it. */
export const FAMILIAR_MAX = 1024;

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

/** Records a line of a message at line index `at` in its occasions; returns their weight before it. */
function record(o: Occasions, at: number, text: string, trainedLines: number): number {
  const before = occasionsWeight(o);
  noteOccasion(o, at, text, occasionGap(trainedLines + at));
  return before;
}

function fresh(): Occasions {
  return { last: 0, routine: 0, run: 0, runLines: null };
}

export class Familiarity implements FamiliarityLog {
  private readonly entries = new Map<number, Occasions>();
  private scored = 0;

  get lines(): number {
    return this.scored;
  }

  get size(): number {
    return this.entries.size;
  }

  observe(key: number, text: string, trainedLines: number): number {
    const e = this.entries.get(key) ?? fresh();
    this.entries.delete(key);
    const before = record(e, this.scored, text, trainedLines);
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
  peek(key: number): Occasions | undefined {
    return this.entries.get(key);
  }

  /** @internal Takes a draft's state. */
  adopt(entries: Map<number, Occasions>, lines: number): void {
    for (const [key, e] of entries) {
      this.entries.delete(key);
      this.put(key, e);
    }
    this.scored = lines;
  }

  private put(key: number, e: Occasions): void {
    this.entries.set(key, e);
    if (this.entries.size > FAMILIAR_MAX) this.entries.delete(this.entries.keys().next().value!);
  }
}

export class FamiliarityDraft implements FamiliarityLog {
  private readonly touched = new Map<number, Occasions>();
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
      e = b === undefined ? fresh() : { ...b, runLines: b.runLines === null ? null : b.runLines.slice() };
      this.touched.set(key, e);
    }
    return record(e, this.scored, text, trainedLines);
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
