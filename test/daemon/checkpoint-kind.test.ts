// A checkpoint rewound by hand with the wrong type (a string instead of an ObjectId) reads no
// line ever, since MongoDB orders values by type first: the daemon says so when it loads it.
import { expect } from 'chai';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { seedHistory } from '../support/seed.js';

describe('a checkpoint of another type than the host\'s _ids', function () {
  this.timeout(120_000);
  const bed = useTestBed('ckind', (b) => seedHistory(b.input, 'syslog', ['web1'], 300, new Rng(81)));

  it('is reported with both types when the host starts', async () => {
    const { file } = bed.writeSourceConfig(['web1']);
    const first = bed.startDaemon(file);
    await first.waitForCount('trained', 1);
    expect(first.count(/^the checkpoint's last_id/)).to.equal(0);
    expect((await first.stop('SIGTERM')).code).to.equal(0);
    const state = bed.target.collection('anomaly_detector_state');
    const doc = (await state.findOne({ host: 'web1' }))!;
    await state.updateOne({ _id: doc._id }, { $set: { last_id: String(doc.last_id) } });
    const second = bed.startDaemon(file);
    const warn = await second.waitForLog((l) => l.msg.startsWith("the checkpoint's last_id is a string"), 30_000, 'the warning');
    expect(warn).to.include({ checkpointKind: 'a string', linesKind: 'an ObjectId', level: 40 });
    expect((await second.stop('SIGTERM')).code).to.equal(0);
  });
});
