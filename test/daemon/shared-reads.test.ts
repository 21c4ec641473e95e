// The hosts of a source that have caught up are read together, one query per round of polls
// (shared-reads.ts), and each still scores every one of its lines once; the gathering itself
// against the test server.
import { expect } from 'chai';
import { MongoClient, ObjectId } from 'mongodb';
import { unpackLines } from '../../src/mongo/line-reader.js';
import { SharedReads } from '../../src/supervisor/shared-reads.js';
import { DaemonStats } from '../../src/supervisor/stats.js';
import { startInProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

const HOSTS = ['s1', 's2', 's3'];

describe("daemon: one read for a source's caught-up hosts", function () {
  this.timeout(120_000);
  const bed = useTestBed('sharedrd', (b) => seedHistory(b.input, 'syslog', HOSTS, 200, new Rng(17)));

  it('reads several hosts in one query and scores every line once, anomalies included', async () => {
    const run = startInProcess(bed, HOSTS, 'pause-scoring');
    const state = bed.target.collection('anomaly_detector_state');
    await waitUntil('trained', async () => run.count('trained') === HOSTS.length, 60_000);
    // A first line each: every host catches up once, and so joins the shared reads.
    for (const h of HOSTS) await insertLines(bed.input, 'syslog', newLines(h, 1, 0, new Rng(1), 'first'));
    await waitUntil('first lines scored', async () => (await state.countDocuments({ lines_scored: 1 })) === HOSTS.length, 30_000);
    const stats = run.supervisor.stats;
    const before = { reads: stats.sharedReads, batches: stats.sharedReadBatches };

    // Lines of all hosts, in rounds, while they poll.
    const inserted = new Map(HOSTS.map((h) => [h, 1]));
    const incidents: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const h of HOSTS) {
        const lines = await insertLines(bed.input, 'syslog', newLines(h, 12, 6, new Rng(round * 10 + HOSTS.indexOf(h)), `r${round}`));
        inserted.set(h, inserted.get(h)! + lines.length);
        incidents.push(...lines.filter((l) => l.incident !== null).map((l) => l.incident!));
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitUntil('every line scored', async () => {
      const docs = await state.find({ host: { $in: HOSTS } }).toArray();
      return docs.length === HOSTS.length && docs.every((d) => d.lines_scored === inserted.get(String(d.host)));
    }, 30_000);
    const reads = stats.sharedReads - before.reads;
    const batches = stats.sharedReadBatches - before.batches;
    expect(reads, 'shared reads made').to.be.above(0);
    // Without sharing every read carries one host's batch.
    expect(batches, 'host batches carried by those reads').to.be.above(reads);
    // Once each: the stats count every line as the state documents do. The worker saves the state
    // document before the supervisor takes in its result, so the last batch may still be on its way.
    const total = [...inserted.values()].reduce((a, b) => a + b, 0);
    await waitUntil('the stats count the last batch', async () => stats.linesScored >= total, 10_000);
    expect(stats.linesScored).to.equal(total);
    const written = await bed.target.collection('anomaly').find({ Hostname: { $in: HOSTS } }).toArray();
    for (const marker of incidents) expect(written.filter((d) => String(d.Message).includes(marker)), marker).to.have.length(1);
  });
});

describe('shared reads: gathering the asks of a source', function () {
  this.timeout(60_000);
  const bed = useTestBed('gather', async () => undefined);
  const fields = { message: 'Message', hostname: 'Hostname', timestamp: 'timestamp' };
  const ref = (host: string) => ({ uri: bed.uri, inputDb: bed.inputName, collection: 'syslog', host, fields });
  const client = (failures: unknown[] = []) => ({ get: async () => bed.client, worked: () => undefined, failed: (err: unknown) => failures.push(err), grouped: () => false });

  it("answers the hosts that ask together with one read, each with its own lines after its own checkpoint", async () => {
    const start = new ObjectId();
    const lines = await insertLines(bed.input, 'syslog', [...newLines('g1', 3, 0, new Rng(2), 'g'), ...newLines('g2', 2, 0, new Rng(3), 'g')]);
    const stats = new DaemonStats();
    const reads = new SharedReads(client(), stats);
    const g2After = lines.filter((l) => l.host === 'g2')[0]!.id;
    const [a, b, c] = await Promise.all([reads.read(ref('g1'), start, 100, 0), reads.read(ref('g2'), g2After, 100, 0), reads.read(ref('g3'), start, 100, 0)]);
    expect({ reads: stats.sharedReads, batches: stats.sharedReadBatches }).to.deep.equal({ reads: 1, batches: 3 });
    expect(unpackLines(a!.bson).map((d) => d.Hostname)).to.deep.equal(['g1', 'g1', 'g1']);
    expect(unpackLines(b!.bson).map((d) => String(d._id))).to.deep.equal([String(lines.at(-1)!.id)]);
    expect(c!.count).to.equal(0);
  });

  it('leaves a host without an ObjectId checkpoint to read alone, and fails every ask of a read that fails', async () => {
    const stats = new DaemonStats();
    const failures: unknown[] = [];
    expect(await new SharedReads(client(failures), stats).read(ref('g1'), null, 100, 0)).to.equal(null);
    expect(await new SharedReads(client(failures), stats).read(ref('g1'), 'a string id', 100, 0)).to.equal(null);
    // Nothing listens on port 1: the read fails once server selection gives up.
    const broken = new MongoClient('mongodb://127.0.0.1:1/', { serverSelectionTimeoutMS: 300 });
    const reads = new SharedReads({ get: async () => broken, worked: () => undefined, failed: (err) => failures.push(err), grouped: () => false }, stats);
    const asks = await Promise.allSettled([reads.read(ref('g1'), new ObjectId(), 100, 0), reads.read(ref('g2'), new ObjectId(), 100, 0)]).finally(() => broken.close());
    expect(asks.map((x) => x.status)).to.deep.equal(['rejected', 'rejected']);
    expect(failures).to.have.length(1);
    expect(stats.sharedReads).to.equal(0);
  });
});
