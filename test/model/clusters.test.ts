import { expect } from 'chai';
import { buildClusters, clusterCount, seedCentres } from '../../src/model/cluster-building.js';
import { clusterDistance } from '../../src/model/clusters.js';
import { Rng } from '../../src/seeded-random.js';

/** `per` points around each of the given centres, within `spread` on every axis. */
function groups(centres: readonly number[][], per: number, spread: number, seed = 7): number[][] {
  const rng = new Rng(seed);
  const out: number[][] = [];
  for (let k = 0; k < per; k++) for (const c of centres) out.push(c.map((x) => x + (rng.next() - 0.5) * spread));
  return out;
}

const key = (v: readonly number[]): string => v.join(',');

describe('behaviour clusters (k-means seeding and the cluster model)', () => {
  const far = [
    [0, 0, 0],
    [100, 0, 0],
    [0, 100, 0],
  ];

  it('seeds one centre in each of three far-apart groups, each centre a copy of one of the points', () => {
    const points = groups(far, 6, 0.01);
    for (const seed of [1, 2, 3, 42]) {
      const centres = seedCentres(points, 3, seed);
      expect(centres).to.have.length(3);
      const inputs = new Set(points.map(key));
      for (const c of centres) expect(inputs.has(key(c))).to.equal(true);
      const nearestGroup = centres.map((c) => far.findIndex((g) => Math.hypot(c[0]! - g[0]!, c[1]! - g[1]!, c[2]! - g[2]!) < 1));
      expect(new Set(nearestGroup).size, `seed ${seed}`).to.equal(3);
    }
  });

  it('gives the same centres for the same seed and does not alter the points', () => {
    const points = groups(far, 10, 5);
    const before = JSON.stringify(points);
    expect(seedCentres(points, 4, 9)).to.deep.equal(seedCentres(points, 4, 9));
    const centres = seedCentres(points, 4, 9);
    centres[0]![0] = -1;
    expect(JSON.stringify(points)).to.equal(before);
  });

  it('never picks the same point twice while distinct points remain', () => {
    const points = groups([[0, 0]], 50, 1);
    for (const seed of [1, 5, 11]) {
      const centres = seedCentres(points, 7, seed).map(key);
      expect(new Set(centres).size).to.equal(7);
    }
  });

  it('still returns k centres when fewer distinct points than clusters exist', () => {
    const points = [...Array(10)].map((_, i) => (i % 2 === 0 ? [1, 1] : [5, 5]));
    const centres = seedCentres(points, 4, 3);
    expect(centres).to.have.length(4);
    expect(new Set(centres.map(key))).to.deep.equal(new Set(['1,1', '5,5']));
  });

  it('refuses more centres than points, or none', () => {
    const points = groups(far, 1, 0.1);
    expect(() => seedCentres(points, 4, 1)).to.throw(RangeError);
    expect(() => seedCentres(points, 0, 1)).to.throw(RangeError);
    expect(() => seedCentres([], 1, 1)).to.throw(RangeError);
  });

  it('builds clusters a member is close to and a far point is not', () => {
    const points = groups(far, 6, 0.5);
    expect(clusterCount(points.length)).to.equal(3);
    const model = buildClusters(points, 42);
    expect(model.centroids).to.have.length(3);
    for (const p of points) expect(clusterDistance(model, p)).to.be.below(2);
    expect(clusterDistance(model, [50, 50, 50])).to.be.above(50);
    expect(buildClusters(points, 42)).to.deep.equal(model);
  });

  it('clusters identical points without error', () => {
    const points = [...Array(40)].map(() => [0.5, 0.5]);
    const model = buildClusters(points, 1);
    expect(model.centroids.length).to.equal(clusterCount(40));
    expect(clusterDistance(model, [0.5, 0.5])).to.equal(0);
  });
});
