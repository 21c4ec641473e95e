// The demo end to end, and a behavioural check of the model on realistic data: the injected
// incidents must be flagged and the normal lines must (almost all) not be.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDemo, type DemoResult } from '../../src/demo/run-demo.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('demo: run-demo', function () {
  this.timeout(120_000);
  let tmp: string;
  let result: DemoResult;
  let printed = '';

  before(async function () {
    tmp = mkdtempSync(join(tmpdir(), 'ad-demo-'));
    result = await runDemo({ outDir: join(tmp, 'seed42'), write: (s) => void (printed += s), width: 140 });
  });

  after(function () {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('flags every injected incident (at least 6 of 7) and most of their lines', function () {
    const caught = result.incidents.filter((i) => i.flagged > 0).map((i) => i.id);
    expect(caught.length, `caught: ${caught.join(', ')}`).to.be.at.least(6);
    const lines = result.incidents.reduce((s, i) => s + i.lines, 0);
    const flagged = result.incidents.reduce((s, i) => s + i.flagged, 0);
    expect(flagged / lines, 'share of incident lines flagged').to.be.at.least(0.7);
    // The attacks and crashes with unmistakable lines are caught in any case.
    for (const id of ['ssh-bruteforce', 'oom-killer', 'disk-full', 'unknown-process']) {
      expect(result.incidents.find((i) => i.id === id)?.flagged, id).to.be.above(0);
    }
  });

  it('flags few normal lines (at most 1%)', function () {
    expect(result.normalLines).to.equal(800);
    expect(result.falsePositives / result.normalLines).to.be.at.most(0.01);
  });

  it('holds on other seeds too (at least 6 of 7 incidents, at most 2% of normal lines)', async function () {
    for (const seed of [1, 2, 3]) {
      const r = await runDemo({ seed, outDir: join(tmp, `seed${seed}`), write: () => undefined });
      const caught = r.incidents.filter((i) => i.flagged > 0).length;
      expect(caught, `seed ${seed}`).to.be.at.least(6);
      expect(r.falsePositives / r.normalLines, `seed ${seed}`).to.be.at.most(0.02);
    }
  });

  it('returns anomalies at or above the threshold, with reasons', function () {
    expect(result.anomalies.length).to.be.greaterThan(0);
    expect(result.threshold).to.be.within(0, 1);
    for (const a of result.anomalies) {
      expect(a.score).to.be.at.least(result.threshold).and.at.most(1);
      expect(a.reasons.length, a.line).to.be.greaterThan(0);
      expect(result.hosts).to.include(a.host);
    }
    expect(result.scoredLines).to.equal(result.normalLines + result.incidents.reduce((s, i) => s + i.lines, 0));
  });

  it('prints a table (host, 2-decimal score, reasons, line), a summary and the offline command', function () {
    expect(printed).to.match(/^TIME\s+HOST\s+SCORE\s+REASONS\s+INCIDENT\s+LINE$/m);
    const rows = printed.split('\n').filter((l) => /^\d\d:\d\d:\d\d  /.test(l));
    expect(rows).to.have.length(result.anomalies.length);
    for (const row of rows) {
      expect(row).to.match(/^\d\d:\d\d:\d\d  \S+\s+(0|1)\.\d\d\s+\S/);
      expect(row.length).to.be.at.most(140);
    }
    expect(printed).to.include('bastion-01');
    expect(printed).to.match(
      new RegExp(`Summary: ${result.scoredLines} lines scored, ${result.anomalies.length} anomalies flagged \\(threshold \\d\\.\\d\\d\\)`),
    );
    expect(printed).to.include('anomaly-detector score --train ');
    expect(result.scoreCommand).to.match(/^anomaly-detector score --train \S+ \S+$/);
  });

  it('writes the sample files the printed command refers to', function () {
    const dir = result.outDir;
    for (const host of result.hosts) {
      const train = readFileSync(join(dir, 'train', `${host}.log`), 'utf8').split('\n').filter(Boolean);
      expect(train, host).to.have.length(1200);
      expect(existsSync(join(dir, 'recent', `${host}.log`))).to.equal(true);
    }
    expect(readFileSync(join(dir, 'training.log'), 'utf8').split('\n').filter(Boolean)).to.have.length(result.trainingLines);
    const [, , , trainFile, inputFile] = result.scoreCommand.split(' ');
    expect(existsSync(resolve(trainFile)), trainFile).to.equal(true);
    expect(existsSync(resolve(inputFile)), inputFile).to.equal(true);
  });

  it('the printed offline command works with the built CLI (needs the offline scorer)', function () {
    const cli = join(REPO, 'dist/src/cli.js');
    if (!existsSync(join(REPO, 'src/offline/score-command.ts')) || !existsSync(join(REPO, 'dist/src/offline/score-command.js'))) {
      console.log('      (skipped: the offline scorer src/offline/score-command.ts is not there or not built yet)');
      this.skip();
    }
    const [, , , trainFile, inputFile] = result.scoreCommand.split(' ');
    const r = spawnSync(process.execPath, [cli, 'score', '--train', trainFile, inputFile], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).to.equal(0);
    const out = r.stdout.split('\n').filter(Boolean);
    const input = readFileSync(resolve(inputFile), 'utf8').split('\n').filter(Boolean);
    expect(out).to.have.length(input.length);
    for (const line of out) expect(JSON.parse(line)).to.have.property('score').that.is.a('number');
  });

  it('prints a score command with the demo\'s own threshold, which flags the lines the table flagged', async function () {
    const r = await runDemo({ outDir: join(tmp, 'strict'), threshold: 0.9, write: () => undefined });
    const parts = r.scoreCommand.split(' ');
    expect(parts.slice(2, 6)).to.deep.equal(['--train', parts[3], '--threshold', '0.9']);
    const [trainFile, , , inputFile] = parts.slice(3);
    const out = spawnSync(process.execPath, [join(REPO, 'dist/src/cli.js'), 'score', '--train', trainFile!, '--threshold', '0.9', inputFile!], { encoding: 'utf8', timeout: 60_000 });
    expect(out.status, out.stderr).to.equal(0);
    const host = /recent\/(.+)\.log$/.exec(inputFile!)![1];
    const flagged = out.stdout.split('\n').filter(Boolean).filter((l) => (JSON.parse(l) as { anomaly: boolean }).anomaly).length;
    expect(flagged).to.equal(r.anomalies.filter((a) => a.host === host).length);
  });

  it('says which path it could not write, without a stack trace', function () {
    const r = spawnSync(process.execPath, [join(REPO, 'dist/src/demo/run-demo.js'), '--out', '/dev/null/demo'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^demo failed: .*\/dev\/null\/demo/);
    expect(r.stderr).not.to.match(/\n\s+at /);
  });

  it('the command line entry point runs (node dist/src/demo/run-demo.js)', function () {
    const r = spawnSync(process.execPath, [join(REPO, 'dist/src/demo/run-demo.js'), '--out', join(tmp, 'cli'), '--seed', '5'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('Summary:').and.include('score --train');
    const bad = spawnSync(process.execPath, [join(REPO, 'dist/src/demo/run-demo.js'), '--bogus'], { encoding: 'utf8' });
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.include('unknown argument');
  });
});
