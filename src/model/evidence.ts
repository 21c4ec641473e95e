// Evidence is counted in nats (natural-log units of probability: +1 nat =
// "about e times less likely for a normal line of this host"). A line's total
// is the sum of
// - benign surprise, measured on the host's own training data
//   (calibration.ts): how rare its template is, or for a new message how
//   often the host writes new messages and how unlike known ones this one is;
// - failure vocabulary the host does not routinely write in that context,
//   and values far outside what their slot held: fixed likelihood ratios,
//   because a few percent of anomalies in the training data must not teach
//   the model that failures are normal.

/** Per word never seen on the host (up to UNSEEN_CAP words). */
export const UNSEEN_WORD = 1;
export const UNSEEN_CAP = 6;
/**
 * A new line whose identifier pieces (pieces.ts) the host never wrote, times
 * the share of such pieces: its own new messages reuse its pieces, another
 * system's lines do not.
 */
export const FOREIGN_PIECES = 8;
/** A new line with no similar known template (1 - cosine similarity, IDF-weighted). */
export const DISSIMILARITY = 3;
/** Distance to the nearest behaviour cluster, per radius beyond the first. */
export const CLUSTER_DISTANCE = 0.5;
export const CLUSTER_DISTANCE_CAP = 2;

/** Failure vocabulary: weight of the most severe term when the host never wrote it in this context. */
export const ERROR_WEIGHT = 7;
/** Share of ERROR_WEIGHT kept however routine the error is: an error stays an error. */
export const ERROR_FLOOR = 0.35;
/** Routine count (separate occasions, see `routine` in core.ts) at which the weight above the floor has halved. */
export const ERROR_HALF_COUNT = 4;
/**
 * Separate occasions of a known template's failure words beyond which the floor itself gives way
 * while the message comes at its routine rate (no burst, no flood: calmDiscount): a VPN's failed
 * logins twelve times a day for a month, or a database's `Failed to gather storage statistics`
 * on 88 occasions, sat at the threshold on rarity and the floor alone (0.52-0.60, every time).
 * 24 until 2026-11-25; 12 flags 86 -> 61 routine lines of 46 review sets, no incident less (the
 * first lines of attacks on a routine failure, 38 of 15,400, wait for their burst), and in the
 * quality tables only Apache's routine `Directory index forbidden by rule` errors less. (8: 35
 * routine lines, 62 incident lines less.) The occasions are those of the line's least routine
 * failure word (detector.ts calmRoutine).
 */
export const CALM_FROM = 12;
/** Share of the line's failure evidence kept however calm: it still reads as an error. */
export const CALM_KEEP = 0.3;

/**
 * Failure evidence taken off a line of a known template whose failure words came on `routine`
 * separate occasions, when it comes at its routine rate: none up to CALM_FROM occasions, then
 * towards the floor's weight (ERROR_WEIGHT * ERROR_FLOOR), never below CALM_KEEP of `errors`.
 */
export function calmDiscount(routine: number, errors: number): number {
  if (routine <= CALM_FROM || errors <= 0) return 0;
  return Math.min(errors * (1 - CALM_KEEP), ERROR_WEIGHT * ERROR_FLOOR * (1 - CALM_FROM / routine));
}

/** Extra failure terms add this share of their weight (a line with several reads worse). */
export const ERROR_EXTRA = 0.25;

/** Value surprise at or above which `unusual_value` is reported. */
export const UNUSUAL_VALUE = 2;
/** Other unusual slots add this share of their surprise to the most surprising one. */
export const VALUE_EXTRA = 0.25;

/**
 * A known failure message whose recent count of lines (occasions.ts recentCount; repetitions
 * count) exceeds BURST_FACTOR times its largest in training plus BURST_SLACK: BURST_WEIGHT nats per
 * doubling beyond that, at most BURST_CAP. A password tried on 50 accounts in two minutes, where
 * the host's failed logons came one or two at a time.
 */
export const BURST_FACTOR = 2;
export const BURST_SLACK = 4;
export const BURST_WEIGHT = 1.5;
export const BURST_CAP = 4;

/**
 * Rarity (nats, calibration.ts) from which a known message without failure words is judged by its
 * density too: a rare one coming far more densely than ever in training is a storm (InnoDB's
 * deadlock reports, 32 in 900 lines where training had 5 in 20,000: the reports' own lines, each
 * rare, were no news, 22 of 736 lines flagged, the headers only; now 223). A common message is
 * not: a quiet night when it fills the log looks the same. 4 nats: templates of at most 1 line in
 * 55 of the host's. (Over 46 review sets any rarity from 0 to 4 flagged the same incident lines
 * and no routine line more: a common message's burst stays within its densest, or below the
 * threshold on BURST_CAP alone; at 3, the scoring bench's mix took 4.6% longer, paired, its lines
 * of rare templates each asking for their density, at 4 about 1%.)
 */
export const STORM_RARITY = 4;

/** Evidence (nats) of a message's recent count `recent` where its largest in training was `largest`. */
export function burstEvidence(recent: number, largest: number): number {
  return burstWeight(recent, largest, BURST_CAP);
}

/**
 * The same over the longer horizon (occasions.ts RATE_DECAY, against its largest in training), for a
 * line that comes within 1/RATE_GAP_SHARE of the message's mean spacing in training after its
 * previous line: a storm of reports each 20-60 lines long (32 InnoDB deadlock reports in 900 lines,
 * where training had 5 in 20,000), and not the routine line after one. The longer count lingers for
 * thousands of lines after a brute force, and every routine failed login then read as a storm (12
 * of 26 review sets' routine lines; 1 with the spacing asked).
 */
export const RATE_GAP_SHARE = 16;

/** Evidence (nats) of a message's longer-horizon count `rate` (largest in training `largest`), `gap` lines after its previous line where training's mean spacing was `meanGap`. */
export function rateEvidence(rate: number, largest: number, gap: number, meanGap: number): number {
  return gap * RATE_GAP_SHARE >= meanGap ? 0 : burstWeight(rate, largest, BURST_CAP);
}

/** `perDoubling` nats per doubling of `recent` beyond BURST_FACTOR times `largest` plus BURST_SLACK, at most `cap`. */
export function burstWeight(recent: number, largest: number, cap: number, perDoubling = BURST_WEIGHT): number {
  const expected = BURST_FACTOR * largest + BURST_SLACK;
  return recent <= expected ? 0 : Math.min(cap, perDoubling * Math.log2(recent / expected));
}

/** Effective count at or below which a known template is reported as rare. */
export const RARE_COUNT = 5;

/**
 * Weight of one failure term given how often (effective count: bursts
 * dampened) the host wrote it in the same context in training. It falls
 * steeply only once the term recurred spread over the training period, and
 * never below the floor.
 */
export function errorWeight(severity: number, routineCount: number): number {
  const r = routineCount / ERROR_HALF_COUNT;
  const fresh = 1 / (1 + r * r * r);
  return severity * ERROR_WEIGHT * (ERROR_FLOOR + (1 - ERROR_FLOOR) * fresh);
}

/** Combines per-term weights: the largest counts fully, the others partly. */
export function combineMax(weights: readonly number[], extraShare: number): number {
  let max = 0;
  let sum = 0;
  for (const w of weights) {
    sum += w;
    if (w > max) max = w;
  }
  return max + extraShare * (sum - max);
}

/** Novelty of a line that matches no known template (before calibration). */
export function novelty(unseenWords: number, similarity: number, clusterDistance: number, foreignShare: number): number {
  const unseen = UNSEEN_WORD * Math.min(unseenWords, UNSEEN_CAP) + FOREIGN_PIECES * foreignShare;
  const dissimilar = DISSIMILARITY * (1 - similarity);
  const cluster = CLUSTER_DISTANCE * Math.min(CLUSTER_DISTANCE_CAP, Math.max(0, clusterDistance - 1));
  return unseen + dissimilar + cluster;
}
