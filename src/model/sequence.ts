// Sequence context (the idea behind DeepLog): hosts write some failure messages as part of a
// sequence, "Invalid user X" then "Failed none for invalid user X", a task attempt failing then
// its container killed. Training notes, for each template, which templates came within the
// CONTEXT_LINES lines before its lines. When a known message with failure words comes after a
// message it came after at least twice in training, and at least CONTEXT_LIFT times as often as
// chance would give, it is the host's known sequence playing out: its failure evidence counts up
// to CONTEXT_DISCOUNT nats less. The same message out of that company keeps its full weight: a
// failure seen a few times in training at random moments (contamination) is not in sequence.
// While training, predecessors are flat [id, count, id, count, ...] arrays to stay small; a model
// keeps only the ids that passed.

/** Lines looked back over, in training and when scoring. */
export const CONTEXT_LINES = 10;
/** Different predecessors counted per template (first come, first kept). */
const CONTEXT_MAX = 16;
/** Most failure evidence (nats) a known sequence takes off. */
export const CONTEXT_DISCOUNT = 2;
/** How much more often than chance the predecessor must have come before the template. */
const CONTEXT_LIFT = 2;

/**
 * Counts the templates among the last CONTEXT_LINES lines (`ring`, -1 = none yet) as
 * predecessors of template `id`, each once, into its pairs `pred`.
 */
export function countPredecessors(ring: Float64Array, id: number, pred: number[]): void {
  for (let k = 0; k < CONTEXT_LINES; k++) {
    const p = ring[k]!;
    if (p < 0 || p === id) continue;
    let dup = false;
    for (let j = 0; j < k && !dup; j++) dup = ring[j] === p;
    if (!dup) addPair(pred, p, 1);
  }
}

function addPair(pairs: number[], id: number, count: number): void {
  let i = 0;
  while (i < pairs.length && pairs[i] !== id) i += 2;
  if (i < pairs.length) pairs[i + 1]! += count;
  else if (pairs.length < 2 * CONTEXT_MAX) pairs.push(id, count);
}

/** Adds the pairs of `from` to `into` (a template absorbing another). */
export function addPairs(into: number[], from: readonly number[]): void {
  for (let j = 0; j < from.length; j += 2) addPair(into, from[j]!, from[j + 1]!);
}

/**
 * A template's context as saved: the predecessors that came before its `count` training lines at
 * least twice (once is chance) and at least CONTEXT_LIFT times as often as chance would give,
 * under the ids they ended up with (a template absorbed by a more general one counts as that one),
 * never itself and only templates the model kept (`countOf` > 0); undefined when none qualifies.
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
  for (const [p, n] of counts) {
    const before = countOf(p);
    if (before === 0 || n < 2) continue;
    // Lines of the template that would have p among their predecessors by chance.
    const chance = count * Math.min(1, (CONTEXT_LINES * before) / Math.max(1, trainedLines));
    if (n >= CONTEXT_LIFT * chance) out.push(p);
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
