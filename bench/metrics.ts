// Detection metrics shared by the quality benchmarks.

import { lowerBound, upperBound } from '../src/model/sorted.js';

/** Probability that a random positive scores above a random negative (ties count half). */
export function auc(pos: readonly number[], neg: readonly number[]): number {
  if (pos.length === 0 || neg.length === 0) return NaN;
  const sorted = [...neg].sort((a, b) => a - b);
  let sum = 0;
  for (const p of pos) {
    const below = lowerBound(sorted, p);
    sum += below + (upperBound(sorted, p) - below) / 2;
  }
  return sum / pos.length / sorted.length;
}

export const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');

/** Precision, recall and F1 from counts. */
export function prf(tp: number, fp: number, fn: number): [number, number, number] {
  const p = tp / (tp + fp);
  const r = tp / (tp + fn);
  return [p, r, (2 * p * r) / (p + r)];
}
