import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModelFileError, modelFilePath, prepareModelDir, readModelHeader, writeModelFile } from '../../src/store/model-files.js';
import { REPO_ROOT } from '../support/paths.js';
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

  it('reads a header line of any length (many EXTRA_MASKS), and refuses a file without one', async () => {
    const dir = tempDir('ad-models-');
    const file = modelFilePath(dir, 'app', 'h1');
    // Over 4 KiB with a multi-byte character across the old cut: every restart retrained.
    const extraMasks = Array.from({ length: 60 }, (_, i) => ({ pattern: `CUSTOMID${i}-[0-9a-f]{8}-(?:alpha|beta|gamma|delta)-[0-9]+`, name: `cüst${i}` }));
    const header = { kind: 'anomaly-detector-model' as const, format: 1, version: 'v1', source: 'app', host: 'h1', trainedAt: '', lines: 300, templates: 7, extraMasks };
    await writeModelFile(file, header, 'body');
    expect(JSON.stringify(header).length).to.be.greaterThan(4096);
    expect(await readModelHeader(file)).to.deep.equal(header);
    writeFileSync(file, JSON.stringify(header));
    expect(await readModelHeader(file), 'a file that is only its header').to.deep.equal(header);
    writeFileSync(file, 'x'.repeat(100_000));
    let error: Error | null = null;
    await readModelHeader(file).catch((err: Error) => (error = err));
    expect(error).to.be.instanceOf(ModelFileError);
    // A directory is no model the host can replace by training: the error as it is (a failed poll).
    rmSync(file);
    mkdirSync(file);
    error = null;
    await readModelHeader(file).catch((err: Error) => (error = err));
    expect(error).to.not.be.instanceOf(ModelFileError);
    expect(error).to.have.property('code', 'EISDIR');
    expect(await readModelHeader(join(dir, 'app', 'none.model'))).to.equal(null);
  });

  it("reads a model file the service's user may not read as an unreadable model, which is retrained", function () {
    // A root-owned file left by a run by hand failed every poll of its host, for good. As root, a
    // process without the capability to override file modes stands in for the service's user.
    if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v setpriv']).status !== 0) this.skip();
    const dir = tempDir('ad-models-');
    const file = join(dir, 'h1.model');
    writeFileSync(file, '{"kind":"anomaly-detector-model"}\n', { mode: 0o600 });
    chownSync(file, 65534, 65534);
    const script = `import('${pathToFileURL(join(REPO_ROOT, 'dist/src/store/model-files.js')).href}').then((m) =>
      m.readModelHeader(${JSON.stringify(file)}).then(() => console.log('read'), (err) => console.log(err instanceof m.ModelFileError ? 'model file error: ' + err.message : 'other: ' + err.code)));`;
    const run = (): string => {
      const r = spawnSync('setpriv', ['--bounding-set=-dac_override,-dac_read_search', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
      return r.stdout + r.stderr;
    };
    expect(run()).to.match(/^model file error: .*cannot be read \(EACCES\)/);
    // A directory out of reach: no model written there could take the file's place, so retraining
    // would repeat for good. The error as it is (a failed poll).
    chownSync(dir, 65534, 65534);
    chmodSync(dir, 0o700);
    expect(run()).to.match(/^other: EACCES/);
  });

  it('leaves no temporary file behind when writing a model fails (a full disk)', function () {
    this.timeout(20_000);
    const dir = tempDir('ad-models-');
    const file = modelFilePath(dir, 'syslog', 'h1');
    // A file size limit makes the write fail with EFBIG after the temporary file exists, as ENOSPC does.
    const script = `import('${pathToFileURL(join(REPO_ROOT, 'dist/src/store/model-files.js')).href}').then((m) =>
      m.writeModelFile(${JSON.stringify(file)}, { format: 'x', version: 'v', source: 's', host: 'h', trainedAt: '', lines: 0, templates: 0 }, 'x'.repeat(200000)))
      .then(() => process.exit(0), (err) => { console.error(err.code); process.exit(3); });`;
    const r = spawnSync('bash', ['-c', 'ulimit -f 16; exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(3);
    expect(r.stderr).to.include('EFBIG');
    expect(readdirSync(dirname(file))).to.deep.equal([]);
  });

  it('gives long and non-ASCII host names a file name the file system takes, one per name', async () => {
    const dir = tempDir('ad-models-');
    const fqdn = `${'node-17.rack-42.'.repeat(14)}example.com`;
    // 224 encoded characters: the longest name that keeps its plain file name.
    const names = [fqdn, `${fqdn}x`, '東京データセンター第一ゲートウェイ装置一二三四五六七八九十', 'cumulus', 'a/b:..c', 'h'.repeat(224)];
    const paths = names.map((n) => modelFilePath(dir, 'syslog', n));
    expect(new Set(paths).size).to.equal(names.length);
    expect(basename(paths[3]!)).to.equal('cumulus.model');
    expect(basename(paths[4]!)).to.equal('a%2Fb%3A%2E%2Ec.model');
    expect(basename(paths[5]!)).to.equal(`${'h'.repeat(224)}.model`);
    for (const p of paths) {
      // Room for the temporary file's suffix within 255 bytes.
      expect(Buffer.byteLength(basename(p)) + '.tmp-4194304-abcdefghij'.length).to.be.at.most(255);
      await writeModelFile(p, { kind: 'anomaly-detector-model', format: 5, version: 'v', source: 's', host: 'h', trainedAt: '', lines: 0, templates: 0 }, 'x');
    }
    expect(readdirSync(join(dir, 'syslog'))).to.have.length(names.length);
  });
});
