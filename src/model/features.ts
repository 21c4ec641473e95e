// Template features: IDF-weighted word sets. Sparse vectors give exact cosine
// similarity between a new line and known templates; fixed-size hashed
// vectors of the same weights feed k-means (ml-kmeans needs dense input).

/** Dimensions of the hashed vectors used for clustering. */
export const HASH_DIMS = 64;

/** Inverse document frequency over templates; an unseen word gets the maximum. */
export class Idf {
  private readonly maxIdf: number;

  constructor(
    private readonly df: { get(word: string): number | undefined },
    private readonly templates: number,
  ) {
    this.maxIdf = 1 + Math.log(templates + 1);
  }

  /** 1 + ln((T + 1) / (df + 1)): a word in every template weighs 1. */
  weight(word: string): number {
    const d = this.df.get(word);
    return d === undefined ? this.maxIdf : 1 + Math.log((this.templates + 1) / (d + 1));
  }

  get max(): number {
    return this.maxIdf;
  }
}

/** A word set with IDF weights and their Euclidean norm. */
export interface WordVector {
  words: readonly string[];
  weights: Float64Array;
  norm: number;
}

export function wordVector(words: readonly string[], idf: Idf): WordVector {
  const weights = new Float64Array(words.length);
  let sq = 0;
  for (let i = 0; i < words.length; i++) {
    const w = idf.weight(words[i]!);
    weights[i] = w;
    sq += w * w;
  }
  return { words, weights, norm: Math.sqrt(sq) };
}

/** FNV-1a, 32 bit: a stable hash for bucketing words (no randomness, no process state). */
export function fnv1a(s: string): number {
  return fnvChars(FNV_OFFSET, s) >>> 0;
}

export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvChars(h: number, s: string): number {
  return fnvRange(h, s, 0, s.length);
}

/** FNV-1a of s[start, end) after the state `h`: a part of a string hashed without slicing it out. */
export function fnvRange(h: number, s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** FNV-1a over a sequence of strings: one more string, then a separator (so `ab`,`c` is not `a`,`bc`). */
export function fnvStep(h: number, s: string): number {
  return Math.imul(fnvChars(h, s) ^ 0xff, FNV_PRIME);
}

/** Unit-length hashed vector of a word vector; a signed hash keeps collisions unbiased. */
export function hashedVector(v: WordVector): number[] {
  const out = new Array<number>(HASH_DIMS).fill(0);
  if (v.norm === 0) return out;
  for (let i = 0; i < v.words.length; i++) {
    const h = fnv1a(v.words[i]!);
    out[h % HASH_DIMS]! += ((h >>> 16) & 1 ? 1 : -1) * (v.weights[i]! / v.norm);
  }
  return out;
}

export function squaredEuclidean(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

export function euclidean(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(squaredEuclidean(a, b));
}
