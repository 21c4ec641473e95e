// The benign part of a line's evidence, measured on the host's own training
// data, and the mapping of total evidence to the 0..1 score.
//
// Known template: S = share of (effective) training lines whose template is at
// most as frequent as this one; surprise -ln S. New message: the Good-Turing
// estimate of how often this host writes a message it never wrote before
// (share of lines whose template was seen once), times the share of those
// once-seen messages that were at least as novel as this one (leave-one-out:
// scored as if they were new). Beyond the most novel one seen, the share keeps
// falling by a factor e per nat. A once-seen message counts in these shares
// with a weight: the share of its identifier pieces the host wrote elsewhere
// (pieces.ts), so lines of other systems hidden in the training data count
// little.
//
// Training lines that carry failure vocabulary the host does not routinely
// write are left out of these shares: they are the suspected anomalies of the
// training data, and must not make "new" or "rare" look normal.
//
// Rarity alone is capped (a message seen once in a million lines is still a
// routine message), and so is novelty, so that neither can make an anomaly
// on its own at the default threshold unless the message is also made of
// words the host never wrote.
//
// Score: s = total nats / (DECADES * ln 10), clipped to [0, 1]; i.e. the line
// is estimated to be about 10^(-DECADES * s) as likely as a normal line.

import { lowerBound, upperBound } from './sorted.js';

/** Decades of likelihood spanned by the score: s = 1 means 10^-DECADES or less. */
export const DECADES = 6;
/** Largest surprise from rarity of a known template. */
export const RARITY_CAP = 4.5;
/** Largest surprise from the rate of new messages. */
export const NEW_RATE_CAP = 5.5;
/** Largest surprise from novelty beyond the host's own new messages. */
export const NOVELTY_CAP = 6;
/** Nats per factor e beyond the most novel once-seen training message. */
const NOVELTY_LAMBDA = 1;
/** A pseudo-observation of novelty for hosts with few once-seen messages (Bayesian smoothing). */
export const NOVELTY_PRIOR = 3;

const NATS_PER_SCORE = DECADES * Math.LN10;

export interface TemplateSample {
  count: number;
  effective: number;
  /** Suspected anomaly: left out of every share. */
  suspect: boolean;
  /** Leave-one-out novelty when count is 1. */
  novelty: number;
  /** How much a once-seen message counts as one of the host's own (0..1; see core.ts). */
  own: number;
}

export class Calibration {
  private readonly total: number;
  private readonly es: Float64Array;
  private readonly cum: Float64Array;
  /** -ln of the estimated share of lines that are new messages. */
  readonly newSurprise: number;
  /** Once-seen messages' novelties, ascending, and the weight of those at or above each one. */
  private readonly novelties: Float64Array;
  private readonly above: Float64Array;

  constructor(samples: readonly TemplateSample[]) {
    const ok = samples.filter((s) => !s.suspect);
    // A once-seen template counts in the shares only for the share of its pieces the host wrote
    // elsewhere, as among the new messages below.
    const mass = (s: TemplateSample): number => (s.count === 1 ? s.effective * s.own : s.effective);
    const sorted = ok.slice().sort((a, b) => a.effective - b.effective);
    this.total = sorted.reduce((a, s) => a + mass(s), 0);
    this.es = Float64Array.from(sorted, (s) => s.effective);
    this.cum = new Float64Array(sorted.length);
    let acc = 0;
    sorted.forEach((s, i) => (this.cum[i] = acc += mass(s)));
    const once = ok.filter((s) => s.count === 1 && s.own > 0);
    const points = [...once.map((s) => ({ x: s.novelty, w: s.own })), { x: NOVELTY_PRIOR, w: 1 }].sort((a, b) => a.x - b.x);
    this.novelties = Float64Array.from(points, (p) => p.x);
    this.above = new Float64Array(points.length);
    let w = 0;
    for (let i = points.length - 1; i >= 0; i--) this.above[i] = w += points[i]!.w;
    this.newSurprise = Math.min(NEW_RATE_CAP, -Math.log(w / (this.total + 2)));
  }

  /** Surprise of a line of a known template with this effective count. */
  rarity(effective: number): number {
    // Mass of templates with effective count <= this one.
    const lo = upperBound(this.es, effective + 1e-9);
    const mass = lo === 0 ? 0 : this.cum[lo - 1]!;
    return Math.min(RARITY_CAP, -Math.log((mass + 1) / (this.total + 1)));
  }

  /** Surprise of a new message with this novelty. */
  newMessage(novelty: number): number {
    const xs = this.novelties;
    const n = xs.length;
    const all = this.above[0]!;
    let tail: number;
    if (novelty > xs[n - 1]!) {
      tail = Math.log(all / this.above[n - 1]!) + (novelty - xs[n - 1]!) / NOVELTY_LAMBDA;
    } else {
      tail = -Math.log(this.above[lowerBound(xs, novelty)]! / all);
    }
    return this.newSurprise + Math.min(NOVELTY_CAP, tail);
  }
}

export function toScore(nats: number): number {
  const s = nats / NATS_PER_SCORE;
  return s <= 0 ? 0 : s >= 1 ? 1 : Math.round(s * 1e4) / 1e4;
}

/** The score of a line estimated to be `likelihood` times as likely as a normal line. */
export function scoreForLikelihood(likelihood: number): number {
  return -Math.log(likelihood) / NATS_PER_SCORE;
}

/**
 * Default anomaly threshold: lines estimated at most 1/1,000 as likely as a
 * normal line of the host. Here rather than in detector.ts, so that the `score` command can read
 * it without loading the scorer's modules before its second thread starts.
 */
export const DEFAULT_THRESHOLD = Math.round(scoreForLikelihood(1e-3) * 1e4) / 1e4;
