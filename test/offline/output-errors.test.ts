import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/daemon-process.js';
import { REPO_ROOT } from '../support/paths.js';

const TRAIN = join(REPO_ROOT, 'test', 'fixtures', 'offline', 'train.log');
const INPUT = join(REPO_ROOT, 'test', 'fixtures', 'offline', 'input.log');
const CONFIG = join(REPO_ROOT, 'multihost.yaml');

/** Runs the CLI with its standard output on /dev/full (every write fails with ENOSPC). */
function toFullDisk(...args: string[]) {
  const fd = openSync('/dev/full', 'w');
  try {
    const env = { ...process.env };
    delete env.MONGODB_URI;
    return spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', env, timeout: 30_000 });
  } finally {
    closeSync(fd);
  }
}

describe('standard output errors', function () {
  this.timeout(30_000);
  before(function () {
    if (!existsSync('/dev/full')) this.skip();
  });

  const commands: Array<[string, string[]]> = [
    ['score', ['score', '--train', TRAIN, INPUT]],
    ['templates', ['templates', TRAIN]],
    ['check-config', ['check-config', CONFIG]],
    ['--help', ['--help']],
    ['score --help', ['score', '--help']],
    ['templates --help', ['templates', '--help']],
  ];
  for (const [name, args] of commands) {
    it(`${name} on a full disk says it could not write and exits 1`, () => {
      const r = toFullDisk(...args);
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr).to.match(/cannot write output: ENOSPC/);
      expect(r.stderr).not.to.match(/\n\s+at /); // no stack trace
    });
  }

  it('score of an endless standard input ends when its reader goes away (| head -1)', async () => {
    const child = spawn(process.execPath, [CLI, 'score', '--train', TRAIN, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin.on('error', () => {}); // EPIPE once the command has stopped reading
    const block = 'sshd[42]: Accepted publickey for deploy from 10.0.0.7 port 52114 ssh2\n'.repeat(200);
    let exited = false;
    const feed = (): void => {
      while (!exited && child.stdin.writable && child.stdin.write(block));
    };
    child.stdin.on('drain', feed);
    feed();
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    exited = true;
    expect(code, stderr).to.equal(0);
    expect(stderr).to.equal('');
  });

  for (const args of [['score', '--help'], ['templates', '--help'], ['check-config', CONFIG]]) {
    it(`${args[0]} ${args[1]} whose reader goes away ends quietly`, () => {
      // The reader is gone before the output is written: the write fails with EPIPE.
      const r = spawnSync('sh', ['-c', `(sleep 0.3; "${process.execPath}" "${CLI}" ${args.map((a) => `"${a}"`).join(' ')}) | true`], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.stderr).to.equal('');
    });
  }

  it('score whose training file fails to read says so in one line (the input it opened is closed, not left to the garbage collector)', function () {
    // Reading /proc/self/mem from its start fails with EIO. The input, opened before training, was
    // closed by the garbage collector with two warnings of Node on standard error.
    if (!existsSync('/proc/self/mem')) this.skip();
    const r = spawnSync(process.execPath, [CLI, 'score', '--train', '/proc/self/mem', INPUT], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/^score: error reading training file '\/proc\/self\/mem': EIO[^\n]*\n$/);
  });

  it('score still prints its output when standard error cannot be written', () => {
    // An empty training file makes score write a warning to standard error first.
    const fd = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [CLI, 'score', '--train', '/dev/null', INPUT], { stdio: ['ignore', 'pipe', fd], encoding: 'utf8', timeout: 30_000 });
      expect(r.status).to.equal(0);
      expect(r.stdout.trimEnd().split('\n')).to.have.length(6);
    } finally {
      closeSync(fd);
    }
  });

  it('score with a --mask that backtracks exponentially on a line still finishes (linear-time fallback)', () => {
    const r = spawnSync(process.execPath, [CLI, 'score', '--train', TRAIN, '--mask', '(a+)+$', '-'], {
      input: `ok ${'a'.repeat(40)}b\nnext line\n`,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trimEnd().split('\n')).to.have.length(2);
  });

  it('score and templates refuse a directory on standard input instead of reading it as empty', () => {
    const fd = openSync(REPO_ROOT, 'r');
    try {
      for (const args of [['score', '--train', TRAIN, '-'], ['templates', '-']]) {
        const r = spawnSync(process.execPath, [CLI, ...args], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 });
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr).to.match(/standard input\): it is a directory/);
      }
    } finally {
      closeSync(fd);
    }
  });
});
