// A stop in the middle of a stream of inserts, then a start: nothing skipped, nothing twice.
// One host runs with THRESHOLD 0 so every line becomes a target document: that makes
// "no line lost, no line duplicated" checkable line by line.
import { expect } from 'chai';
import { MongoClient, type Db } from 'mongodb';
import { DaemonProcess, writeConfig } from '../support/daemon-process.js';
import { Rng } from '../support/log-lines.js';
import { testMongoUri, uniqueDbName } from '../support/mongo-server.js';
import { insertLines, newLines, seedHistory, waitUntil, type Inserted } from '../support/seed.js';

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  describe(`daemon restart after ${signal} in the middle of a stream`, function () {
    this.timeout(240_000);
    let client: MongoClient;
    let input: Db;
    let target: Db;
    const daemons: DaemonProcess[] = [];
    const inputName = uniqueDbName(`rs_in_${signal}`);
    const targetName = uniqueDbName(`rs_out_${signal}`);

    before(async () => {
      client = await new MongoClient(await testMongoUri()).connect();
      input = client.db(inputName);
      target = client.db(targetName);
      const rng = new Rng(11);
      await seedHistory(input, 'syslog', ['alpha'], 300, rng);
      await seedHistory(input, 'everything', ['beta'], 300, rng);
    });

    after(async () => {
      for (const d of daemons) await d.stop('SIGKILL');
      await input?.dropDatabase().catch(() => undefined);
      await target?.dropDatabase().catch(() => undefined);
      await client?.close();
    });

    it('writes every incident exactly once and scores every line', async () => {
      const { file } = writeConfig(
        await testMongoUri(),
        `MG_INPUT_DB: "${inputName}"
MG_TARGET_DB: "${targetName}"
POLL_INTERVAL_SECONDS: 0.1
BATCH_SIZE: 25
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["alpha"]
    MG_TARGET_COL: "alpha_anomaly"
  "everything":
    HOSTNAMES: ["beta"]
    MG_TARGET_COL: "all_lines"
    THRESHOLD: 0
`,
      );
      const start = async (): Promise<DaemonProcess> => {
        const d = new DaemonProcess(file);
        daemons.push(d);
        await d.waitForCount('trained', 0); // no-op: models may be loaded from disk on restart
        await d.waitForLog((l) => l.msg === 'started', 60_000, 'started');
        return d;
      };
      let d = await start();
      await d.waitForCount('trained', 2);

      const rng = new Rng(5);
      const alpha = newLines('alpha', 600, 40, rng, signal);
      const beta = newLines('beta', 600, 0, rng, signal);
      const inserted: Inserted[] = [];
      const insertedBeta: Inserted[] = [];
      for (let i = 0; i < 600; i += 20) {
        inserted.push(...(await insertLines(input, 'syslog', alpha.slice(i, i + 20))));
        insertedBeta.push(...(await insertLines(input, 'everything', beta.slice(i, i + 20))));
        if (i === 200) {
          const exit = await d.stop(signal);
          if (signal === 'SIGTERM') expect(exit.code).to.equal(0);
          d = await start();
          expect(d.count('trained'), 'restart must load the models from disk, not retrain').to.equal(0);
        }
        await new Promise((r) => setTimeout(r, 30));
      }

      const incidents = inserted.filter((l) => l.incident);
      expect(incidents).to.have.length(15);
      await waitUntil('every beta line is in the target', async () => (await target.collection('all_lines').countDocuments()) >= 600, 90_000);
      await waitUntil('every incident is written', async () => {
        const docs = await target.collection('alpha_anomaly').find().toArray();
        return incidents.every((i) => docs.some((doc) => String(doc.Message).includes(i.incident!)));
      }, 90_000);
      await new Promise((r) => setTimeout(r, 1000));

      const alphaDocs = await target.collection('alpha_anomaly').find().toArray();
      for (const inc of incidents) {
        expect(alphaDocs.filter((doc) => String(doc.Message).includes(inc.incident!)), inc.incident!).to.have.length(1);
      }
      const betaDocs = await target.collection('all_lines').find().toArray();
      expect(betaDocs).to.have.length(600);
      const ids = new Set(betaDocs.map((doc) => String(doc.input_id)));
      expect(ids.size).to.equal(600);
      for (const l of insertedBeta) expect(ids.has(String(l.id))).to.equal(true);

      const state = await target.collection('anomaly_detector_state').find().toArray();
      const alphaState = state.find((s) => s.host === 'alpha')!;
      expect(String(alphaState.last_id)).to.equal(String(inserted[inserted.length - 1].id));
      // A batch cut off by SIGKILL after its write is read again, so lines can be scored twice, never zero times.
      expect(alphaState.lines_scored).to.be.at.least(600);
      if (signal === 'SIGTERM') expect(state.find((s) => s.host === 'beta')!.lines_scored).to.equal(600);

      const exit = await d.stop('SIGTERM');
      expect(exit.code).to.equal(0);
    });
  });
}
