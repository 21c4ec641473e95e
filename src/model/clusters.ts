// Behaviour clusters of templates as a model holds them, and the search for the known template
// nearest to a new line. Clusters answer "does this new line look like any family of messages
// this host writes?"; the inverted word index answers "which known template is it most like?".
// Building the clusters (k-means) is training's: cluster-building.ts. Scoring needs only this
// module, so a thread that only scores never loads ml-kmeans and the about 260 modules it pulls
// in (0.1-0.2 s of a thread's start, and about 10 MB of memory).

import { euclidean, type WordVector } from './features.js';

export interface ClusterModel {
  /** Centroids, rounded to keep snapshots small. */
  centroids: number[][];
  /** Per cluster: typical distance of its members to the centroid (never below a floor). */
  radius: number[];
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
