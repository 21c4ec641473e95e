// Building a host's behaviour clusters in training: k-means over the templates' hashed IDF
// vectors (ml-kmeans), seeded here. What a model keeps of them and how scoring uses them:
// clusters.ts.

import { kmeans } from 'ml-kmeans';
import { HASH_DIMS, euclidean, squaredEuclidean } from './features.js';
import { Rng } from '../seeded-random.js';
import type { ClusterModel } from './clusters.js';

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

