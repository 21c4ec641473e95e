import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareModelDir } from '../../src/store/model-files.js';
import { tempDir } from '../support/temp-dir.js';

/** A process id that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('model directory', () => {
  it('creates MODEL_DIR and removes only the temporary files of writes whose process is gone', async () => {
    const dir = join(tempDir('ad-models-'), 'models');
    expect(await prepareModelDir(dir)).to.deep.equal({ removed: 0 });
    const source = join(dir, 'network_logs');
    mkdirSync(source);
    const dead = deadPid();
    const files = [
      'cumulus.model',
      `cumulus.model.tmp-${dead}-k3j2`,
      `EXOS-VM.model.tmp-${dead}-0a`,
      `EXOS-VM.model.tmp-${process.pid}-zz`,
      'notes.tmp-1-x',
    ];
    for (const f of files) writeFileSync(join(source, f), 'x');
    writeFileSync(join(dir, `stray.model.tmp-${dead}-q`), 'x');
    expect(await prepareModelDir(dir)).to.deep.equal({ removed: 2 });
    expect(readdirSync(source).sort()).to.deep.equal(['EXOS-VM.model.tmp-' + process.pid + '-zz', 'cumulus.model', 'notes.tmp-1-x']);
  });

  it('throws the file system error when MODEL_DIR is a file', async () => {
    const file = join(tempDir('ad-models-'), 'models');
    writeFileSync(file, 'x');
    let error: NodeJS.ErrnoException | null = null;
    await prepareModelDir(file).catch((err: NodeJS.ErrnoException) => (error = err));
    expect(error).to.have.property('code', 'EEXIST');
  });
});
