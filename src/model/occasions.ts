// Separate occasions of a message: how training judges whether a template is
// routine (trainer.ts) and how scoring judges whether a new message has
// become familiar since training (familiarity.ts). One mechanism for both, so
// "a burst is about one occasion, a repeated line counts once" means the same
// before and after training.

/**
 * A line of a message more than this many lines after its previous one
 * starts a new occasion (the gap grows with the lines so far, 1/2000 of them,
 * standing in for "a while" without a clock).
 */
const MIN_GAP = 8;
const GAP_SHARE = 1 / 2000;

/** The gap (in lines) that separates occasions after `linesSoFar` lines. */
export function occasionGap(linesSoFar: number): number {
  return Math.max(MIN_GAP, linesSoFar * GAP_SHARE);
}

/**
 * How much one occasion is worth towards making a message routine: the
 * fourth root of its count of different lines (1 line: 1; 50 lines about
 * different things: under 3; the same line repeated 50 times by a retry loop:
 * 1, since a repetition is the same event told again). Each occasion is
 * weighed by its own size, so one burst cannot lend its weight to the other
 * occasions of the same message.
 */
export function occasionWeight(lines: number): number {
  return lines <= 0 ? 0 : Math.sqrt(Math.sqrt(lines));
}

/**
 * How densely a message's lines come, as bursts measure it (detector.ts, trainer.ts): its lines
 * counted with a weight that halves every RECENT_HALF_LIFE lines after each (about the lines of
 * the last 1.44 half-lives). The same in training and after it: a run of lines joined by the
 * occasion gap, which grows with the lines so far, made a steady stream of a routine failure one
 * endless run after training, longer than any during it.
 */
export const RECENT_HALF_LIFE = 64;
export const RECENT_DECAY = Math.LN2 / RECENT_HALF_LIFE;

/**
 * The same count over a longer horizon (detector.ts, evidence.ts rateEvidence): a storm whose lines
 * come a report of 20-60 lines apart (InnoDB's deadlock report, a Java trace under each exception)
 * never adds up within RECENT_HALF_LIFE, where 32 deadlocks in 900 lines, against 5 in 20,000 in
 * training, is a storm all the same.
 */
export const RATE_HALF_LIFE = 512;
export const RATE_DECAY = Math.LN2 / RATE_HALF_LIFE;

/**
 * A decayed count after one more line at `at`, where it was `count` at line `last` (0: no line
 * yet); `decay` is ln 2 over the half-life in lines (RECENT_DECAY, RATE_DECAY; sources.ts's).
 */
export function recentCount(count: number, last: number, at: number, decay = RECENT_DECAY): number {
  return decayedCount(count, last, at, decay) + 1;
}

/** The decayed count at line `at` without a line there, where it was `count` at line `last`. */
export function decayedCount(count: number, last: number, at: number, decay = RECENT_DECAY): number {
  return count * Math.exp(-decay * (at - last));
}

/** Lines remembered per occasion to recognise repetitions; beyond them every line counts as different. */
const RUN_LINES = 8;

/** The occasions of one message so far. */
export interface Occasions {
  /** Line index of the latest line. */
  last: number;
  /** Weight of the closed occasions (occasionWeight of each). */
  routine: number;
  /** Different lines in the open occasion. */
  run: number;
  /** Hashes of the open occasion's lines (at most RUN_LINES); null before the first line. */
  runLines: number[] | null;
}

/** Weight of all occasions so far, the open one included. */
export function occasionsWeight(o: Occasions): number {
  return o.routine + occasionWeight(o.run);
}

/**
 * Records a line of the message at line index `at` (`line`: the line's identity, miner.ts
 * repeatKey, so that a repetition is told from another line); returns whether it opened an
 * occasion (the first line always does).
 */
export function noteOccasion(o: Occasions, at: number, line: number, gap: number): boolean {
  const opens = o.runLines === null || at - o.last > gap;
  if (opens) {
    o.routine += occasionWeight(o.run);
    o.run = 0;
    o.runLines = null;
  }
  if (!repeatsOccasion(o, line)) o.run++;
  o.last = at;
  return opens;
}

/**
 * Whether the line repeats one of its occasion's lines so far (and remembers it if not). Lines are
 * remembered by hash: a kept string would keep alive the whole input chunk it was sliced from.
 */
function repeatsOccasion(o: Occasions, h: number): boolean {
  const seen = o.runLines;
  if (seen === null) {
    o.runLines = [h];
    return false;
  }
  if (seen.indexOf(h) >= 0) return true;
  if (seen.length < RUN_LINES) seen.push(h);
  return false;
}

/** Occasions that also know where their open occasion began (training keeps this to merge them). */
export interface TimedOccasions extends Occasions {
  /** Line index of the open occasion's first line. */
  start: number;
}

/**
 * Adds the occasions of `from` to `into`: two templates turned out to be one message (the miner
 * merged them). Their open occasions are one occasion when they overlap in time: a burst whose
 * lines first looked like several messages (a tag or program name that changed from line to line)
 * is still one burst, not one occasion per name. Otherwise the later of the two stays open.
 * Closed occasions are added as they are (each side's are separate from its own others; that they
 * may also coincide with the other side's is not known any more). Returns whether the open
 * occasions were one (the caller counts one episode less).
 */
export function absorbOccasions(into: TimedOccasions, from: TimedOccasions, gap: number): boolean {
  const mine = into.runLines;
  const theirs = from.runLines;
  if (theirs === null) {
    into.routine += from.routine;
    return false;
  }
  if (mine === null) {
    into.routine += from.routine;
    openAs(into, from);
    return false;
  }
  if (from.start <= into.last + gap && into.start <= from.last + gap) {
    into.routine += from.routine;
    let repeats = 0;
    for (const h of theirs) {
      if (mine.indexOf(h) >= 0) repeats++;
      else if (mine.length < RUN_LINES) mine.push(h);
    }
    into.run += from.run - repeats;
    into.start = Math.min(into.start, from.start);
    into.last = Math.max(into.last, from.last);
    return true;
  }
  if (from.last > into.last) {
    into.routine += occasionWeight(into.run) + from.routine;
    openAs(into, from);
  } else {
    into.routine += occasionsWeight(from);
  }
  return false;
}

/** `into`'s open occasion becomes a copy of `from`'s. */
function openAs(into: TimedOccasions, from: TimedOccasions): void {
  into.run = from.run;
  into.runLines = from.runLines === null ? null : from.runLines.slice();
  into.start = from.start;
  into.last = from.last;
}
