// Sequence context (the idea behind DeepLog): hosts write some failure messages as part of a
// sequence, "Invalid user X" then "Failed none for invalid user X", a task attempt failing then
// its container killed. Training notes, for each template, which templates came within the
// CONTEXT_LINES lines before its lines. When a known message with failure words comes after a
// message that came before at least half of its training lines, far more often than chance would
// give, and that it followed on a tenth of that message's own lines at least (keptContext), it is
// the host's known sequence playing out: its failure evidence counts up
// to CONTEXT_DISCOUNT nats less. The same message out of that company keeps its full weight: a
// failure seen a few times in training at random moments (contamination) is not in sequence.
// While training, predecessors are flat [id, count, id, count, ...] arrays to stay small; a model
// keeps only the ids that passed.

/** Lines looked back over, in training and when scoring. */
export const CONTEXT_LINES = 10;
/**
 * Predecessors counted per template, by the Misra-Gries summary: a predecessor of more than
 * 1/(CONTEXT_MAX + 1) of the counts is never lost, and counts are never overstated. A line has
 * at most CONTEXT_LINES - 1 different predecessors, so one that came before half of a template's
 * lines is kept.
 */
const CONTEXT_MAX = 20;
/** Most failure evidence (nats) a known sequence takes off. */
export const CONTEXT_DISCOUNT = 2;
/** Share of the template's training lines the predecessor must have come before. */
const CONTEXT_SHARE = 0.5;
/** Chance (Poisson) of coming before that many of its lines at random, at most. */
const CONTEXT_P = 0.01;
/**
 * Lines of the template that came after the predecessor, as a share of the predecessor's own
 * training lines, at least: a sequence predicts its failure. A session's first line comes before
 * every failure of the session and far more sessions that do not fail (2% of them in a review's
 * OpenVPN set): after it, a failure is news. A generic header line followed by one of several
 * continuations predicts each of them less often (RabbitMQ's `Channel error on connection`, then one
 * of six `operation ... caused a channel exception` lines: 11-17%), and they stay its sequence.
 */
const CONTEXT_PREDICTS = 0.1;

/**
 * Counts predecessors as lines arrive. Lines may come oldest first (a file) or newest first (the
 * daemon reads a host's training window newest first): then the lines still in the ring came
 * after the arriving one, which is counted as a predecessor of each of them, once per line.
 */
export class PredecessorCounter {
  private readonly ids = new Float64Array(CONTEXT_LINES).fill(-1);
  /** Newest first: per ring line, the templates already counted as its predecessors. */
  private readonly counted: number[][] = Array.from({ length: CONTEXT_LINES }, () => []);
  private pos = 0;

  constructor(private readonly newestFirst: boolean) {}

  /** One line of template `id`; `predOf` gives a template's predecessor pairs (undefined: not counted). */
  add(id: number, predOf: (id: number) => number[] | undefined): void {
    const ids = this.ids;
    if (this.newestFirst) {
      for (let k = 0; k < CONTEXT_LINES; k++) {
        const later = ids[k]!;
        if (later < 0 || later === id) continue;
        const pred = predOf(later);
        if (pred === undefined || this.counted[k]!.includes(id)) continue;
        this.counted[k]!.push(id);
        countOne(pred, id);
      }
    } else {
      const pred = predOf(id);
      for (let k = 0; k < CONTEXT_LINES && pred !== undefined; k++) {
        const p = ids[k]!;
        if (p < 0 || p === id) continue;
        let dup = false;
        for (let j = 0; j < k && !dup; j++) dup = ids[j] === p;
        if (!dup) countOne(pred, p);
      }
    }
    ids[this.pos] = id;
    this.counted[this.pos] = [];
    this.pos = (this.pos + 1) % CONTEXT_LINES;
  }
}

/** One more line for predecessor `id` (Misra-Gries: a full summary decrements every count instead). */
function countOne(pairs: number[], id: number): void {
  let i = 0;
  while (i < pairs.length && pairs[i] !== id) i += 2;
  if (i < pairs.length) {
    pairs[i + 1]!++;
    return;
  }
  if (pairs.length < 2 * CONTEXT_MAX) {
    pairs.push(id, 1);
    return;
  }
  let w = 0;
  for (let r = 0; r < pairs.length; r += 2) {
    const c = pairs[r + 1]! - 1;
    if (c > 0) {
      pairs[w] = pairs[r]!;
      pairs[w + 1] = c;
      w += 2;
    }
  }
  pairs.length = w;
}

/** Adds the pairs of `from` to `into` (a template absorbing another); beyond CONTEXT_MAX they are dropped. */
export function addPairs(into: number[], from: readonly number[]): void {
  for (let j = 0; j < from.length; j += 2) {
    let i = 0;
    while (i < into.length && into[i] !== from[j]) i += 2;
    if (i < into.length) into[i + 1]! += from[j + 1]!;
    else if (into.length < 2 * CONTEXT_MAX) into.push(from[j]!, from[j + 1]!);
  }
}

/** P(X >= n) for X ~ Poisson(lambda). */
export function poissonTail(n: number, lambda: number): number {
  if (n <= 0) return 1;
  if (lambda <= 0) return 0;
  let term = Math.exp(-lambda);
  let cdf = term;
  for (let k = 1; k < n; k++) {
    term *= lambda / k;
    cdf += term;
    if (term < 1e-300 && k > lambda) break;
  }
  return Math.max(0, 1 - cdf);
}

/**
 * A template's context as saved: the predecessors that came before at least twice and at least
 * CONTEXT_SHARE of its `count` training lines, where chance (each predecessor line taking the
 * CONTEXT_LINES lines after it) would give that many at most CONTEXT_P of the time; under the ids
 * they ended up with (a template absorbed by a more general one counts as that one), never itself,
 * and only templates the model kept (`countOf` > 0). Undefined when none qualifies.
 */
export function keptContext(
  self: number,
  count: number,
  pred: readonly number[],
  finalId: (id: number) => number,
  countOf: (id: number) => number,
  trainedLines: number,
): number[] | undefined {
  const counts = new Map<number, number>();
  for (let i = 0; i < pred.length; i += 2) {
    const p = finalId(pred[i]!);
    if (p !== self) counts.set(p, (counts.get(p) ?? 0) + pred[i + 1]!);
  }
  const out: number[] = [];
  for (const [p, summed] of counts) {
    // Raw ids that became one may each have come before the same lines: p came before at most all of them.
    const n = Math.min(summed, count);
    const before = countOf(p);
    if (before === 0 || n < 2 || n < CONTEXT_SHARE * count || n < CONTEXT_PREDICTS * before) continue;
    // Lines of the template that would have p among their predecessors by chance.
    const chance = count * Math.min(1, (CONTEXT_LINES * before) / Math.max(1, trainedLines));
    if (poissonTail(n, chance) <= CONTEXT_P) out.push(p);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Failure evidence (nats, at most `errors`) taken off a known template with saved `context`
 * when one of those predecessors is among the templates of the last scored lines (`recent`).
 */
export function contextDiscount(context: readonly number[], recent: readonly number[], errors: number): number {
  for (const p of context) if (recent.indexOf(p) >= 0) return Math.min(CONTEXT_DISCOUNT, errors);
  return 0;
}

/** Remembers the template of a scored line (-1 for a new message) among the last CONTEXT_LINES. */
export function noteRecent(recent: number[], id: number): void {
  recent.push(id);
  if (recent.length > CONTEXT_LINES) recent.shift();
}
