// Behaviour clusters of templates (k-means over hashed IDF vectors) and the
// search for the known template nearest to a new line. Clusters answer "does
// this new line look like any family of messages this host writes?"; the
// inverted word index answers "which known template is it most like?".

import { kmeans } from 'ml-kmeans';
import { HASH_DIMS, euclidean, squaredEuclidean, type WordVector } from './features.js';
import { Rng } from '../seeded-random.js';

export interface ClusterModel {
  /** Centroids, rounded to keep snapshots small. */
  centroids: number[][];
  /** Per cluster: typical distance of its members to the centroid (never below a floor). */
  radius: number[];
}

/** Fewest templates worth clustering; below it one cluster holds all. */
const MIN_TEMPLATES = 4;
const MAX_CLUSTERS = 40;
const RADIUS_FLOOR = 0.15;

export function clusterCount(templates: number): number {
  if (templates < MIN_TEMPLATES) return 1;
  return Math.max(2, Math.min(MAX_CLUSTERS, Math.round(Math.sqrt(templates / 2))));
}

function mean(points: readonly number[][]): number[] {
  const c = new Array<number>(HASH_DIMS).fill(0);
  for (const p of points) for (let i = 0; i < HASH_DIMS; i++) c[i]! += p[i]! / points.length;
  return c;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * k-means++ seeding (Arthur and Vassilvitskii 2007): the first centre drawn uniformly, each next
 * one with probability proportional to its squared distance from the nearest centre so far; one
 * pass over the templates per centre. ml-kmeans' own 'kmeans++' weighs several candidates per
 * centre with distance matrices: 1.7 s of a training's finish for 4,000 templates on the build
 * machine, where this takes milliseconds. Lloyd's iterations stay ml-kmeans'.
 */
export function seedCentres(vectors: readonly (readonly number[])[], k: number, seed: number): number[][] {
  const n = vectors.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`seedCentres: k must be an integer from 1 to the ${n} vectors, got ${k}`);
  const rng = new Rng(seed);
  const nearest = new Float64Array(n).fill(Infinity);
  const chosen = new Uint8Array(n);
  const centres: number[][] = [];
  let next = Math.floor(rng.next() * n);
  for (;;) {
    chosen[next] = 1;
    const centre = vectors[next]!;
    centres.push(centre.slice());
    if (centres.length === k) return centres;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = squaredEuclidean(vectors[i]!, centre);
      if (d < nearest[i]!) nearest[i] = d;
      total += nearest[i]!;
    }
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n; i++) {
        if (nearest[i]! === 0) continue;
        next = i;
        r -= nearest[i]!;
        if (r < 0) break;
      }
    } else {
      // Every template sits on a centre already (fewer distinct vectors than clusters): the
      // remaining centres repeat one, and their clusters stay empty.
      next = chosen.indexOf(0);
    }
  }
}

/** Clusters template vectors; deterministic for a given seed and input order. */
export function buildClusters(vectors: readonly number[][], seed: number): ClusterModel {
  if (vectors.length === 0) return { centroids: [], radius: [] };
  const k = clusterCount(vectors.length);
  let assignment: number[];
  let centroids: number[][];
  if (k === 1) {
    assignment = vectors.map(() => 0);
    centroids = [mean(vectors)];
  } else {
    const r = kmeans(vectors as number[][], k, { seed, initialization: seedCentres(vectors, k, seed), maxIterations: 50 });
    assignment = r.clusters;
    centroids = r.centroids;
  }
  centroids = centroids.map((c) => c.map(round));
  const sum = new Array<number>(centroids.length).fill(0);
  const cnt = new Array<number>(centroids.length).fill(0);
  vectors.forEach((v, i) => {
    const c = assignment[i]!;
    sum[c]! += euclidean(v, centroids[c]!);
    cnt[c]!++;
  });
  const radius = sum.map((s, c) => round(Math.max(RADIUS_FLOOR, cnt[c]! > 0 ? s / cnt[c]! : RADIUS_FLOOR)));
  return { centroids, radius };
}

/** Distance to the nearest centroid in units of that cluster's radius (0 when there are no clusters). */
export function clusterDistance(model: ClusterModel, v: readonly number[]): number {
  let best = Infinity;
  for (let c = 0; c < model.centroids.length; c++) {
    const d = euclidean(v, model.centroids[c]!) / model.radius[c]!;
    if (d < best) best = d;
  }
  return best === Infinity ? 0 : best;
}

/**
 * Inverted word index over template word vectors for exact cosine search.
 * Postings of every word are packed into two flat arrays, by word id.
 */
export class NearestIndex {
  /** Postings of word id w: start[w] .. start[w + 1] - 1 of postT (template) and postW (weight). */
  private readonly start: Int32Array;
  private readonly postT: Int32Array;
  private readonly postW: Float64Array;
  private readonly norms: Float64Array;
  // Scratch for accumulating dot products: reused across calls (results do not depend on it).
  private readonly dots: Float64Array;
  private readonly touched: Int32Array;

  /**
   * `ids` gives every word of the vectors an id below `words` (other ids, or
   * words without one, have no postings).
   */
  constructor(
    private readonly ids: ReadonlyMap<string, number>,
    private readonly words: number,
    vectors: readonly WordVector[],
  ) {
    const start = new Int32Array(words + 1);
    for (const v of vectors) for (const w of v.words) start[ids.get(w)! + 1]!++;
    for (let i = 0; i < words; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, words);
    const total = start[words]!;
    this.postT = new Int32Array(total);
    this.postW = new Float64Array(total);
    vectors.forEach((v, t) => {
      for (let i = 0; i < v.words.length; i++) {
        const k = fill[ids.get(v.words[i]!)!]!++;
        this.postT[k] = t;
        this.postW[k] = v.weights[i]!;
      }
    });
    this.start = start;
    this.norms = Float64Array.from(vectors, (v) => v.norm);
    this.dots = new Float64Array(vectors.length);
    this.touched = new Int32Array(vectors.length);
  }

  /**
   * The template with the highest cosine similarity to `line` (ties: the lower
   * index, which callers order by frequency), or -1 with similarity 0 when no
   * word is shared. `exclude` leaves one template out (leave-one-out calibration).
   */
  nearest(line: WordVector, exclude = -1): { index: number; similarity: number } {
    if (line.norm === 0) return { index: -1, similarity: 0 };
    const dots = this.dots;
    const touched = this.touched;
    let n = 0;
    const ts = this.postT;
    const ws = this.postW;
    for (let i = 0; i < line.words.length; i++) {
      const id = this.ids.get(line.words[i]!);
      if (id === undefined || id >= this.words) continue;
      const lw = line.weights[i]!;
      const end = this.start[id + 1]!;
      for (let k = this.start[id]!; k < end; k++) {
        const t = ts[k]!;
        if (dots[t] === 0) touched[n++] = t;
        dots[t]! += lw * ws[k]!;
      }
    }
    let index = -1;
    let similarity = 0;
    for (let k = 0; k < n; k++) {
      const t = touched[k]!;
      const dot = dots[t]!;
      dots[t] = 0;
      if (t === exclude) continue;
      const s = dot / (line.norm * this.norms[t]!);
      if (s > similarity + 1e-12 || (Math.abs(s - similarity) <= 1e-12 && t < index)) {
        index = t;
        similarity = s;
      }
    }
    return { index, similarity: Math.min(1, similarity) };
  }
}
