// V8 heap limits of the worker threads (see supervisor.ts): small young generations everywhere,
// the old generation of a scoring thread limited only while its hosts' models fit far below it.
import { expect } from 'chai';
import { tmpdir } from 'node:os';
import { parseConfigText } from '../../src/config/load.js';
import type { DaemonConfig } from '../../src/config/schema.js';
import { TRAIN_THREAD_LIMITS, keysNeedingRestart, scoreThreadLimits } from '../../src/supervisor/supervisor.js';

describe('worker thread heap limits', () => {
  it('limits the young generation of scoring threads whatever the host count', () => {
    for (const hosts of [1, 100, 127, 128, 5000]) expect(scoreThreadLimits(hosts).maxYoungGenerationSizeMb).to.equal(12);
  });

  it('limits the old generation of a scoring thread only while its hosts need far less', () => {
    expect(scoreThreadLimits(1).maxOldGenerationSizeMb).to.equal(2047);
    expect(scoreThreadLimits(127).maxOldGenerationSizeMb).to.equal(2047);
    expect(scoreThreadLimits(128).maxOldGenerationSizeMb).to.equal(undefined);
    expect(scoreThreadLimits(5000).maxOldGenerationSizeMb).to.equal(undefined);
  });

  it('keeps room for a 1,000,000-line training in a training thread', () => {
    // Such a training needs 60-170 MB of heap (bench part 1); the limit is just under 2 GB.
    expect(TRAIN_THREAD_LIMITS.maxOldGenerationSizeMb).to.be.at.least(1024);
    expect(TRAIN_THREAD_LIMITS.maxYoungGenerationSizeMb).to.be.below(16);
  });
});

describe('reload: keys that need a restart', () => {
  const config = (hosts: number, extra = ''): DaemonConfig =>
    parseConfigText(
      `MONGODB_URI: "mongodb://127.0.0.1:1"
MG_INPUT_DB: "logs"
MG_TARGET_DB: "anomalies"
WORKERS: 1
${extra}LOG_SOURCES:
  "syslog":
    HOSTNAMES: ${JSON.stringify(Array.from({ length: hosts }, (_, i) => `h${i}`))}
    MG_TARGET_COL: "anomaly"
`,
      'limits.yaml',
      tmpdir(),
    );

  it('asks for a restart for a changed WORKERS, not for the pool size that follows the host count', () => {
    const unset = (hosts: number): DaemonConfig =>
      parseConfigText(
        `MONGODB_URI: "mongodb://127.0.0.1:1"\nMG_INPUT_DB: "logs"\nMG_TARGET_DB: "anomalies"\nLOG_SOURCES:\n  "syslog":\n    HOSTNAMES: ${JSON.stringify(Array.from({ length: hosts }, (_, i) => `h${i}`))}\n    MG_TARGET_COL: "anomaly"\n`,
        'workers.yaml',
        tmpdir(),
      );
    const one = unset(1);
    expect(one.workersFromHosts).to.equal(true);
    // One more host makes the computed size one more (on a machine with cores to spare).
    expect(keysNeedingRestart(one, { ...unset(2), workers: one.workers + 1 }, false)).to.deep.equal([]);
    expect(keysNeedingRestart(config(2), { ...config(2), workers: 2 }, false)).to.deep.equal(['WORKERS']);
    expect(keysNeedingRestart(one, { ...config(1), workers: one.workers + 1 }, false)).to.deep.equal(['WORKERS']);
  });

  it('asks for a restart when added hosts outgrow the scoring threads\' heap limit', () => {
    expect(keysNeedingRestart(config(2), config(100), true)).to.deep.equal([]);
    expect(keysNeedingRestart(config(2), config(128), true)).to.deep.equal(['LOG_SOURCES (more hosts per scoring thread than its heap limit allows)']);
    // Started without the limit (many hosts): nothing to lift.
    expect(keysNeedingRestart(config(200), config(400), false)).to.deep.equal([]);
  });

  it('lists other keys that only a restart applies', () => {
    expect(keysNeedingRestart(config(2), config(2, 'HTTP_LISTEN: "127.0.0.1:9464"\n'), true)).to.deep.equal(['HTTP_LISTEN']);
  });
});
