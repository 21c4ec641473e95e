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
