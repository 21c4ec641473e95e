// A host seen for the first time waits for its turn to set up its checkpoint (NEW_HOSTS_AT_ONCE,
// limiter.ts). A host stopped while it waits (a reload removed it, the daemon is stopping) must not
// set one up once its turn comes: that would be a write by a host this run no longer runs, and a
// stop would wait for every host queued ahead of it. Run against the test server, with a context
// whose limiter the test holds.
import { expect } from 'chai';
import type { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { DbHealth } from '../../src/supervisor/db-health.js';
import { HostPipeline, type PipelineContext } from '../../src/supervisor/host-pipeline.js';
import { Limiter } from '../../src/supervisor/limiter.js';
import { DaemonStats } from '../../src/supervisor/stats.js';
import { Rng } from '../support/log-lines.js';
import { seedHistory, waitUntil } from '../support/seed.js';
import { useTestBed } from '../support/test-bed.js';

describe('a new host waiting for its turn to set up its checkpoint', function () {
  this.timeout(60_000);
  const bed = useTestBed('newturn', (b) => seedHistory(b.input, 'syslog', ['web1', 'web2'], 20, new Rng(3)));

  /** A pipeline for `host` whose context counts the calls a checkpoint's setup makes, and a turn held by the test. */
  function setUp(host: string): { pipeline: HostPipeline; limiter: Limiter; calls: { client: number; lease: number }; release: () => void } {
    const config = loadConfig(bed.writeSourceConfig([host]).file);
    const log = createLogger('silent');
    const calls = { client: 0, lease: 0 };
    const limiter = new Limiter(1);
    let release = (): void => undefined;
    void limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const ctx: PipelineContext = {
      // No scoring thread here: a training asked for after the set-up fails (and is retried later).
      run: () => Promise.reject(new Error('no worker threads in this test')),
      client: async (): Promise<MongoClient> => {
        calls.client++;
        return bed.client;
      },
      config: () => config,
      log,
      health: new DbHealth(log),
      stats: new DaemonStats(),
      isDue: () => false,
      readShared: async () => null,
      serverFiltersEveryDocument: () => false,
      hostsCatchingUp: () => false,
      retryDelayMs: () => 60_000,
      leaseFresh: async () => {
        calls.lease++;
        return true;
      },
      writer: 'new-host-turn-test',
      newHosts: limiter,
    };
    return { pipeline: new HostPipeline(ctx, config.sources[0]!, host), limiter, calls, release };
  }

  const stateDoc = (host: string) => bed.target.collection('anomaly_detector_state').findOne({ host });

  it('sets up none once its turn comes if it was stopped meanwhile, and hands its turn on at once', async () => {
    const { pipeline, limiter, calls, release } = setUp('web1');
    try {
      pipeline.start();
      await waitUntil('web1 waiting for its turn', async () => limiter.pending === 2, 20_000);
      const before = { ...calls };
      const stopping = pipeline.stop();
      release();
      await stopping;
      // Its turn came after the stop: no lease check, no client, no state written.
      expect(calls).to.deep.equal(before);
    } finally {
      // On a failure above, the turn is handed on and the pipeline stopped (a stop waits for the turn).
      release();
      await pipeline.stop();
    }
    expect(await stateDoc('web1')).to.equal(null);
    expect(pipeline.checkpoint).to.equal(null);
    expect(pipeline.state).to.equal('stopped');
    expect(limiter.pending).to.equal(0);
  });

  it('sets up its checkpoint after the newest stored line when its turn comes (the same set-up, not stopped)', async () => {
    const { pipeline, limiter, release } = setUp('web2');
    try {
      pipeline.start();
      await waitUntil('web2 waiting for its turn', async () => limiter.pending === 2, 20_000);
      expect(await stateDoc('web2')).to.equal(null);
      release();
      // The pipeline takes the checkpoint once the save's reply is in, which can be after the document is visible.
      await waitUntil('web2 checkpoint saved and taken', async () => (await stateDoc('web2'))?.last_id !== undefined && pipeline.checkpoint !== null, 20_000);
      const newest = await bed.input.collection('syslog').find({ Hostname: 'web2' }).sort({ _id: -1 }).limit(1).next();
      expect(String((await stateDoc('web2'))!.last_id)).to.equal(String(newest!._id));
      expect(pipeline.checkpoint).to.include(String(newest!._id));
    } finally {
      release();
      await pipeline.stop();
    }
  });
});
