import { expect } from 'chai';
import type { ObjectId } from 'mongodb';
import { DEFAULT_THRESHOLD } from '../../src/model/detector.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil, type Inserted } from '../support/seed.js';

describe('daemon end to end: two sources, three hosts', function () {
  this.timeout(180_000);
  const bed = useTestBed('e2e', async (b) => {
    const rng = new Rng(7);
    await seedHistory(b.input, 'network_logs', ['cumulus', 'EXOS-VM', 'not-watched'], 400, rng);
    await seedHistory(b.input, 'web_logs', ['dataform'], 400, rng);
  });

  it('trains every configured host, writes each incident once to its source target, ignores other hosts, stops on SIGTERM', async () => {
    const { file } = bed.writeConfig(
      `POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "network_logs":
    HOSTNAMES: ["cumulus", "EXOS-VM"]
    MG_TARGET_COL: "network_anomaly"
  "web_logs":
    HOSTNAMES: ["dataform"]
    MG_TARGET_COL: "web_anomaly"
`,
    );
    const daemon = bed.startDaemon(file);
    await daemon.waitForCount('trained', 3);
    const trained = daemon.logs.filter((l) => l.msg === 'trained');
    expect(trained.map((l) => l.host).sort()).to.deep.equal(['EXOS-VM', 'cumulus', 'dataform']);
    for (const t of trained) {
      expect(t.lines).to.equal(400);
      expect(t.templates).to.be.a('number').greaterThan(3);
      expect(t.modelVersion).to.be.a('string');
    }

    const rng = new Rng(99);
    const inserted: Array<Inserted & { collection: string }> = [];
    for (const [collection, host] of [
      ['network_logs', 'cumulus'],
      ['network_logs', 'EXOS-VM'],
      ['network_logs', 'not-watched'],
      ['web_logs', 'dataform'],
    ]) {
      const rows = await insertLines(bed.input, collection, newLines(host, 90, 30, rng, 'e2e'));
      inserted.push(...rows.map((r) => ({ ...r, collection })));
    }
    const incidents = inserted.filter((l) => l.incident && l.host !== 'not-watched');
    expect(incidents).to.have.length(9);

    const all = async () => [...(await bed.target.collection('network_anomaly').find().toArray()), ...(await bed.target.collection('web_anomaly').find().toArray())];
    await waitUntil('every incident is written', async () => {
      const docs = await all();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });
    // Give stragglers a few polls: nothing may be written twice.
    await new Promise((r) => setTimeout(r, 1000));

    const net = await bed.target.collection('network_anomaly').find().toArray();
    const web = await bed.target.collection('web_anomaly').find().toArray();
    for (const inc of incidents) {
      const coll = inc.collection === 'web_logs' ? web : net;
      const other = inc.collection === 'web_logs' ? net : web;
      const hits = coll.filter((d) => String(d.Message).includes(inc.incident!));
      expect(hits, inc.incident!).to.have.length(1);
      expect(other.filter((d) => String(d.Message).includes(inc.incident!))).to.have.length(0);
      const d = hits[0];
      expect((d.input_id as ObjectId).equals(inc.id)).to.equal(true);
      expect(d.source).to.equal(inc.collection);
      expect(d.Message).to.equal(inc.message);
      expect(d.Hostname).to.equal(inc.host);
      expect(d.timestamp).to.be.instanceOf(Date);
      expect(d.anomaly_score).to.be.within(DEFAULT_THRESHOLD, 1);
      expect(d.reasons).to.be.an('array').that.is.not.empty;
      expect(d.template).to.be.a('string').that.is.not.empty;
      expect(d.model_version).to.be.a('string');
      expect(d.detected_at).to.be.instanceOf(Date);
    }
    expect([...net, ...web].filter((d) => d.Hostname === 'not-watched')).to.have.length(0);
    const routineFlagged = [...net, ...web].filter((d) => !/incident/.test(String(d.Message)));
    expect(routineFlagged.length, JSON.stringify(routineFlagged.map((d) => [d.Message, d.anomaly_score, d.reasons]))).to.be.at.most(5);

    const started = Date.now();
    const exit = await daemon.stop('SIGTERM');
    expect(exit.code).to.equal(0);
    expect(Date.now() - started).to.be.below(10_000);
    expect(daemon.count('stopped')).to.equal(1);
  });

  it('created the unique index that makes anomaly writes idempotent, and no index on the input', async () => {
    const idx = await bed.target.collection('network_anomaly').indexes();
    const unique = idx.find((i) => i.unique);
    expect(unique?.key).to.deep.equal({ source: 1, input_id: 1 });
    const inputIdx = await bed.input.collection('network_logs').indexes();
    expect(inputIdx.map((i) => i.name)).to.deep.equal(['_id_']);
  });
});
