// The check for late lines rides on a shared read: a host's batch read with its lines behind the
// checkpoint (from where its last batch said the next check would look) needs no count of its
// own, which on a server without the (hostname, _id) index (FerretDB) was a scan of the whole
// input for every active host every 2 s.
import { expect } from 'chai';
import { ObjectId } from 'mongodb';
import { readHostsAfter } from '../../src/mongo/line-reader.js';
import runTask from '../../src/worker/entry.js';
import { isCommandOn, useCuttingProxy } from '../support/cutting-proxy.js';
import { idsAt, web1Line } from '../support/ids-at.js';
import { Rng, routineLine } from '../support/log-lines.js';
import { writeTestModel } from '../support/model-file.js';
import { sleep } from '../support/mongo-server.js';
import { scoreTask, scored } from '../support/score-task.js';
import { useTestBed } from '../support/test-bed.js';

describe('worker: late lines found in the lines read behind the checkpoint', function () {
  this.timeout(60_000);
  const bed = useTestBed('latebehind', async () => undefined);
  const rng = new Rng(53);
  const proxy = useCuttingProxy(bed);

  /**
   * A host whose thread has checked behind its checkpoint just now (batch c): three batches of
   * lines around a second `base` made 3 s ago, and the id of a line made then that has not
   * committed yet (lateId). Every task goes through the proxy, so a test can cut its counts.
   */
  async function justChecked(collection: string, tag: string) {
    const task = (checkpoint: string | null) => scoreTask(bed, { collection, modelFile: file, checkpoint, uri: proxy().uri(bed.uri) });
    const file = await writeTestModel(Array.from({ length: 400 }, () => routineLine(rng)));
    const input = bed.input.collection(collection);
    const idAt = idsAt(tag);
    const line = (_id: ObjectId) => web1Line(_id, rng);
    const base = Math.floor(Date.now() / 1000) - 3;
    await input.insertMany([0, 1, 2].map(() => line(idAt(base))));
    const a = scored(await runTask(task(null)));
    await input.insertMany([0, 1, 2].map(() => line(idAt(base))));
    const b = scored(await runTask(task(a.checkpoint))); // the thread's record starts at a
    const lateId = idAt(base + 1);
    await input.insertMany([0, 1, 2].map(() => line(idAt(base + 1))));
    const c = scored(await runTask(task(b.checkpoint))); // checks behind b: nothing late
    expect(c.lookBehind, 'just checked: the next check is not near').to.equal(null);
    /** The host's next batch as the supervisor reads it for a caught-up host (a shared read). */
    const sharedRead = async (checkpoint: string | null, behindFrom?: string | null) =>
      (await readHostsAfter(
        bed.client,
        { uri: bed.uri, inputDb: bed.inputName, collection, fields: task(null).source.fields },
        [{ host: 'web1', after: ObjectId.createFromHexString(JSON.parse(checkpoint!).$oid as string), ...(behindFrom ? { behindFrom: ObjectId.createFromHexString(behindFrom) } : {}) }],
        100,
        0,
      ))!.get('web1')!;
    return { task, input, line, idAt, base, lateId, c, sharedRead };
  }

  it('scores a late line from them and sends no count', async () => {
    const { task, input, line, idAt, base, lateId, c, sharedRead } = await justChecked('syslog_behind', 'bb');
    await sleep(1100);
    const d = scored(await runTask(task(c.checkpoint))); // nothing new, within the cadence: no check
    expect(d.read).to.equal(0);
    expect(d.lookBehind, 'the next check is near').to.be.a('string');

    // The late line commits; the next batch is read as the supervisor reads it for a caught-up host.
    await input.insertOne(line(lateId));
    await input.insertMany([0, 1].map(() => line(idAt(base + 2))));
    const lines = await sharedRead(c.checkpoint, d.lookBehind);
    expect(lines.count).to.equal(2);
    expect(lines.behind?.count, 'the lines of b and c, and the late one').to.be.at.least(7);

    // A count would be cut, and the task fail.
    const cuts = proxy().cuts;
    proxy().cutAt(isCommandOn('aggregate', 'syslog_behind'), 'request', 2);
    const e = scored(await runTask({ ...task(c.checkpoint), lines }));
    proxy().cutAt(() => false, 'request');
    expect(proxy().cuts, 'no count sent').to.equal(cuts);
    expect({ read: e.read, late: e.late }).to.deep.equal({ read: 3, late: 1 });
  });

  it('a check that comes due at a shared batch read without them waits for the next batch instead of counting', async () => {
    // Polls slower than the cadence (a loaded server): the batch after a check comes more than
    // LATE_CHECK_EVERY_MS later, and the batch before it could not know a check would be due.
    const { task, input, line, idAt, base, lateId, c, sharedRead } = await justChecked('syslog_behind_slow', 'bc');
    await sleep(2100);

    const cuts = proxy().cuts;
    proxy().cutAt(isCommandOn('aggregate', 'syslog_behind_slow'), 'request', 2);
    await input.insertMany([0, 1].map(() => line(idAt(base + 2))));
    const d = scored(await runTask({ ...task(c.checkpoint), lines: await sharedRead(c.checkpoint) }));
    expect(d.read).to.equal(2);
    expect(d.lookBehind, 'the check waits for the lines behind').to.be.a('string');

    await input.insertOne(line(lateId));
    await input.insertMany([0, 1].map(() => line(idAt(base + 3))));
    const e = scored(await runTask({ ...task(d.checkpoint), lines: await sharedRead(d.checkpoint, d.lookBehind) }));
    proxy().cutAt(() => false, 'request');
    expect(proxy().cuts, 'no count sent').to.equal(cuts);
    expect({ read: e.read, late: e.late }).to.deep.equal({ read: 3, late: 1 });
    expect(e.lookBehind, 'just checked').to.equal(null);
  });

  // A host catching up a backlog reads its batches alone, in its thread: on a server that scans for
  // a count, its checks every 2 s were a third of the server's work in bench part 4.
  it('a thread reading alone on a server that scans for a count brings the lines behind with its batch when a check is due, and sends no count', async () => {
    const { task, input, line, idAt, base, lateId, c } = await justChecked('syslog_alone', 'bd');
    await sleep(2100);
    await input.insertOne(line(lateId));
    await input.insertMany([0, 1].map(() => line(idAt(base + 2))));

    const cuts = proxy().cuts;
    proxy().cutAt(isCommandOn('aggregate', 'syslog_alone'), 'request', 2);
    const d = scored(await runTask({ ...task(c.checkpoint), serverFiltersEveryDocument: true }));
    proxy().cutAt(() => false, 'request');
    expect(proxy().cuts, 'no count sent').to.equal(cuts);
    expect({ read: d.read, late: d.late }).to.deep.equal({ read: 3, late: 1 });
  });

  it("a check that comes due during a thread's own read waits for its next read instead of counting", async () => {
    const { task, input, line, idAt, base, lateId, c } = await justChecked('syslog_alone_slow', 'be');
    await sleep(1100);
    await input.insertMany([0, 1].map(() => line(idAt(base + 2))));
    const cuts = proxy().cuts;
    proxy().cutAt(isCommandOn('aggregate', 'syslog_alone_slow'), 'request', 2);
    // Not due when the read starts; the server answers it after the check came due.
    proxy().holdAt(isCommandOn('find', 'syslog_alone_slow'));
    const reading = runTask({ ...task(c.checkpoint), serverFiltersEveryDocument: true });
    await sleep(1200);
    proxy().release();
    const d = scored(await reading);
    expect(d.read).to.equal(2);

    await input.insertOne(line(lateId));
    await input.insertMany([0, 1].map(() => line(idAt(base + 3))));
    const e = scored(await runTask({ ...task(d.checkpoint), serverFiltersEveryDocument: true }));
    proxy().cutAt(() => false, 'request');
    expect(proxy().cuts, 'no count sent').to.equal(cuts);
    expect({ read: e.read, late: e.late }).to.deep.equal({ read: 3, late: 1 });
  });
});
