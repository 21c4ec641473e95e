import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { runScoreCommand } from '../../src/offline/score-command.js';
import { TokenizerThread } from '../../src/offline/tokenizer-thread.js';
import { tokenize, compileMasks } from '../../src/model/mask.js';
import { incidentLine, routineLine, Rng } from '../support/log-lines.js';
import { tempDir } from '../support/temp-dir.js';
import { runCommand, type Run } from '../support/command-run.js';

function score(args: string[], tokenizerThread: boolean, stdinText = ''): Promise<Run> {
  return runCommand((a, io) => runScoreCommand(a, io, { tokenizerThread }), args, stdinText);
}

describe('score command with a tokenizer thread', function () {
  this.timeout(60_000);
  let root = '';
  before(() => (root = tempDir('tokenizer-thread')));
  const dir = (): string => root;
  const r = new Rng(11);
  // Enough lines for many batches (forEachLines hands on 64 KB at a time), and the header warm-up.
  const history = Array.from({ length: 6000 }, (_, i) => `2026-11-23 10:${String(i % 60).padStart(2, '0')}:00 gw1 ${routineLine(r)}`);
  const input = Array.from({ length: 4000 }, (_, i) =>
    i % 97 === 0 ? `2026-11-23 11:00:00 gw1 ${incidentLine(r, `x${i}`)}` : i % 501 === 0 ? '' : `2026-11-23 11:00:00 gw1 ${routineLine(r)}`,
  );

  it('prints what one thread prints, line for line, from files and from standard input', async function () {
    const train = join(dir(), 'train.log');
    const file = join(dir(), 'input.log');
    writeFileSync(train, history.join('\n') + '\n');
    writeFileSync(file, input.join('\r\n'));
    for (const args of [['--train', train, file], ['--train', train, '--mask', 'gw[0-9]+', '--threshold', '0.3', file]]) {
      const one = await score(args, false);
      const two = await score(args, true);
      expect(one.code).to.equal(0);
      expect(one.stdout.split('\n').length).to.equal(input.length + 1);
      expect(two).to.deep.equal(one);
    }
    const fromStdin = await score(['--train', train, '-'], true, input.join('\n'));
    expect(fromStdin.stdout).to.equal((await score(['--train', train, file], false)).stdout);
  });

  it('prints each line of a stream as it comes, not when later ones arrive', async function () {
    const train = join(dir(), 'train.log');
    writeFileSync(train, history.join('\n') + '\n');
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (b: Buffer) => (printed += b.toString('utf8')));
    const done = runScoreCommand(['--train', train, '-'], { stdout, stderr: new PassThrough(), stdin }, { tokenizerThread: true });
    // As `tail -f | score`: two lines, then nothing more for a while.
    stdin.write(`${input[1]}\n${input[2]}\n`);
    const deadline = Date.now() + 20_000;
    while (printed.split('\n').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(printed.split('\n').filter((l) => l !== '')).to.have.length(2);
    stdin.end(`${input[3]}\n`);
    expect(await done).to.equal(0);
    expect(printed.split('\n').filter((l) => l !== '')).to.have.length(3);
  });

  for (const tokenizerThread of [true, false]) {
    it(`ends when its reader goes away while standard input is quiet, not at the next line (${tokenizerThread ? 'with' : 'without'} the thread)`, async function () {
      // `tail -f log | score --train T - | head -1`: with the thread, reading ran ahead of the output
      // and waited for the log's next line, however long, before it saw that head had gone.
      const train = join(dir(), 'train.log');
      writeFileSync(train, history.join('\n') + '\n');
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const done = runScoreCommand(['--train', train, '-'], { stdout, stderr: new PassThrough(), stdin }, { tokenizerThread });
      let ended = false;
      void done.then(() => (ended = true));
      stdout.once('data', () => stdout.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
      stdin.write(`${input[1]}\n`);
      // Standard input stays open and quiet from here on.
      const deadline = Date.now() + 20_000;
      while (!ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(ended, 'still waiting for standard input after its output closed').to.equal(true);
      expect(await done).to.equal(0);
      stdin.end();
    });
  }

  it('reports an unreadable input as one thread does', async function () {
    const train = join(dir(), 'train.log');
    writeFileSync(train, history.slice(0, 100).join('\n'));
    const missing = join(dir(), 'missing.log');
    const one = await score(['--train', train, missing], false);
    const two = await score(['--train', train, missing], true);
    expect(two.code).to.equal(one.code).and.not.equal(0);
    expect(two.stderr).to.equal(one.stderr);
  });

  it('tokenizes batches in order, as tokenize() does, and fails every batch once the thread is gone', async function () {
    const masks = [{ pattern: 'gw[0-9]+', name: 'gw' }];
    const thread = new TokenizerThread(masks);
    const batches = [history.slice(0, 500), history.slice(500, 501), input.slice(0, 700)];
    const got = await Promise.all(batches.map((b) => thread.tokenize(b)));
    expect(got).to.deep.equal(batches.map((b) => b.map((l) => tokenize(l, compileMasks(masks)))));
    await thread.close();
    let error: unknown;
    await thread.tokenize(['a line']).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/tokenizer thread was closed/);
  });
});
