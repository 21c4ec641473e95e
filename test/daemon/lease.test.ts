// The lease of a state collection against the real server, with the standby's clock in the test's hands.
import { expect } from 'chai';
import { LEASE_RENEW_MS, LEASE_TTL_MS, Lease } from '../../src/mongo/lease.js';
import { useTestBed } from '../support/test-bed.js';

describe('the lease of a state collection', function () {
  this.timeout(60_000);
  const bed = useTestBed('lz', async () => undefined);
  const state = () => ({ db: bed.targetName, collection: 'anomaly_detector_state' });

  it('is taken from a holder whose renewals stopped for the TTL by the standby\'s clock, never from one that renews', async () => {
    let t = 5_000_000_000; // far from the holder's clock: only intervals on the standby's clock count
    const a = new Lease();
    const b = new Lease(() => t);
    expect(await a.acquire(bed.client, state())).to.equal(null);
    expect((await b.acquire(bed.client, state()))!.owner).to.equal(a.owner);
    // A renews: however long the standby waits, the lease stays A's.
    for (let i = 0; i < 4; i++) {
      t += LEASE_TTL_MS;
      expect(await a.acquire(bed.client, state())).to.equal(null);
      expect((await b.acquire(bed.client, state()))!.owner).to.equal(a.owner);
    }
    // A stops renewing (frozen, or cut off from MongoDB): after the TTL of B watching it, B takes it.
    const look = LEASE_RENEW_MS / 2;
    for (let watched = look; watched < LEASE_TTL_MS; watched += look) {
      t += look;
      expect((await b.acquire(bed.client, state()))!.owner, `after ${watched} ms`).to.equal(a.owner);
    }
    t += look;
    expect(await b.acquire(bed.client, state())).to.equal(null);
    // A comes back: it sees B's lease, and its release does not remove it.
    expect((await a.acquire(bed.client, state()))!.owner).to.equal(b.owner);
    await a.release(bed.client, state());
    expect((await a.acquire(bed.client, state()))!.owner).to.equal(b.owner);
    // B's clean release frees it at once.
    await b.release(bed.client, state());
    expect(await a.acquire(bed.client, state())).to.equal(null);
    await a.release(bed.client, state());
  });

  it('is not taken for time in which the standby could not read it (MongoDB down for both)', async () => {
    let t = 7_000_000_000;
    const a = new Lease();
    const b = new Lease(() => t);
    expect(await a.acquire(bed.client, state())).to.equal(null);
    expect((await b.acquire(bed.client, state()))!.owner).to.equal(a.owner);
    // An outage: neither reaches MongoDB for twice the TTL. Then B looks again before A renews.
    t += 2 * LEASE_TTL_MS;
    expect((await b.acquire(bed.client, state()))!.owner, 'right after the outage').to.equal(a.owner);
    t += LEASE_RENEW_MS / 2;
    expect((await b.acquire(bed.client, state()))!.owner).to.equal(a.owner);
    // A renews at its next turn: the lease stays A's.
    expect(await a.acquire(bed.client, state())).to.equal(null);
    t += LEASE_RENEW_MS / 2;
    expect((await b.acquire(bed.client, state()))!.owner).to.equal(a.owner);
    await a.release(bed.client, state());
  });
});
