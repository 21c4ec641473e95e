import { expect } from 'chai';
import { PassThrough, Readable } from 'node:stream';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScoreCommand } from '../../src/offline/score-command.js';
import { forEachLines } from '../../src/offline/streams.js';
import { runTemplatesCommand } from '../../src/offline/templates-command.js';
import { DEFAULT_THRESHOLD } from '../../src/model/detector.js';
import { Rng } from '../../src/seeded-random.js';
import { runCommand } from '../support/command-run.js';

// dist/test/offline -> test/fixtures/offline (fixtures are not compiled).
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'offline');
const TRAIN = join(FIXTURES, 'train.log');
const INPUT = join(FIXTURES, 'input.log');
const INPUT_CRLF = join(FIXTURES, 'input-crlf.log');
// dist/test/offline -> dist/src/cli.js
const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli.js');

const records = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('score command', function () {
  this.timeout(20000);

  it('prints one JSON object per input line with exactly line, score, anomaly, template, reasons', async () => {
    const r = await runCommand(runScoreCommand, ['--train', TRAIN, INPUT]);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('');
    const recs = records(r.stdout);
    expect(recs).to.have.length(6);
    recs.forEach((rec, i) => {
      expect(Object.keys(rec)).to.deep.equal(['line', 'score', 'anomaly', 'template', 'reasons']);
      expect(rec.line).to.equal(i + 1);
      expect(rec.score).to.be.a('number').within(0, 1);
      expect(rec.anomaly).to.equal((rec.score as number) >= DEFAULT_THRESHOLD);
      expect(rec.template).to.be.a('string');
      expect(rec.reasons).to.be.an('array');
    });
  });

  it('flags the failures of the fixture and not its routine lines', async () => {
    const recs = records((await runCommand(runScoreCommand, ['--train', TRAIN, INPUT])).stdout);
    const anomalies = recs.filter((r) => r.anomaly).map((r) => r.line);
    expect(anomalies).to.deep.equal([4, 6]);
    expect(recs[0]!.template).to.equal('Accepted publickey for <*> from <*> port <*>');
    expect(recs[3]!.reasons).to.include('error_terms');
  });

  it('scores the input as a stream: a new message that keeps coming back fades, a failure does not', async () => {
    // Rounds far enough apart to be separate occasions (occasions.ts: occasionGap).
    const input: string[] = [];
    for (let i = 0; i < 25; i++) {
      for (let k = 0; k < 5; k++) {
        input.push(`Accepted publickey for alice from 10.0.1.${k} port ${50000 + i * 10 + k} ssh2`);
        input.push(`pam_unix(sshd:session): session closed for user bob`);
      }
      input.push(`Rotated host keys into vault slot ${i % 5} on schedule`);
      input.push(`fatal: Read from socket failed: Connection reset by peer [preauth]`);
    }
    const recs = records((await runCommand(runScoreCommand, ['--train', TRAIN, '-'], input.join('\n') + '\n')).stdout);
    expect(recs).to.have.length(input.length);
    const rotated = recs.filter((_, i) => i % 12 === 10);
    const fatal = recs.filter((_, i) => i % 12 === 11);
    expect(rotated[0]!.anomaly).to.equal(true);
    expect(rotated[rotated.length - 1]!.anomaly).to.equal(false);
    expect(fatal.every((r) => r.anomaly === true)).to.equal(true);
  });

  it('reads standard input for -', async () => {
    const text = 'Accepted publickey for bob from 10.0.0.2 port 50000 ssh2\nsshd: fatal: no hostkey alg\n';
    const r = await runCommand(runScoreCommand, ['--train', TRAIN, '-'], text);
    expect(r.code).to.equal(0);
    const recs = records(r.stdout);
    expect(recs.map((x) => x.line)).to.deep.equal([1, 2]);
    expect(recs[1]!.anomaly).to.equal(true);
  });

  it('handles CRLF line ends like LF', async () => {
    const crlf = records((await runCommand(runScoreCommand, ['--train', TRAIN, INPUT_CRLF])).stdout);
    const lf = records((await runCommand(runScoreCommand, ['--train', TRAIN, INPUT])).stdout).slice(0, 3);
    expect(crlf).to.deep.equal(lf);
    for (const r of crlf) expect(r.template as string).not.to.include('\r');
  });

  it('numbers empty lines, a last line without newline, and a 1 MB line', async () => {
    const big = 'payload '.repeat(131072);
    const r = await runCommand(runScoreCommand, ['--train', TRAIN, '-'], `\n\n${big}\nlast line without newline`);
    expect(r.code).to.equal(0);
    const recs = records(r.stdout);
    expect(recs.map((x) => x.line)).to.deep.equal([1, 2, 3, 4]);
    for (const rec of recs) expect(rec.score).to.be.within(0, 1);
  });

  it('assembles lines split across many chunks: CR and LF apart, multi-byte characters cut, a line longer than many chunks', async () => {
    const long = 'x'.repeat(300_000);
    const text = `first\r\nsecond é line\n${long}\r\n\nlast`;
    const bytes = Buffer.from(text);
    // Chunks of 1 to 7 bytes at first (cutting \r from \n and é in two), then 64 KB ones through the long line.
    const chunks: Buffer[] = [];
    let at = 0;
    for (let k = 0; at < bytes.length; k++) {
      const size = at < 40 ? 1 + (k % 7) : 1 << 16;
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    const lines: string[] = [];
    await forEachLines(Readable.from(chunks), 'test input', (batch) => void lines.push(...batch));
    expect(lines).to.deep.equal(['first', 'second é line', long, '', 'last']);
  });

  it('cuts a line longer than maxChars to its first maxChars characters, CR before the line end aside', async () => {
    const text = `${'a'.repeat(10)}\r\n${'b'.repeat(11)}\r\n${'c'.repeat(12)}\n${'d'.repeat(30)}`;
    const bytes = Buffer.from(text);
    for (const size of [1, 3, 7, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      const lines: string[] = [];
      await forEachLines(Readable.from(chunks), 'test input', (batch) => void lines.push(...batch), undefined, 10);
      expect(lines, `chunks of ${size}`).to.deep.equal(['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10), 'd'.repeat(10)]);
    }
  });

  it('reads random bytes in random chunks as one decoder over the whole stream would, split at LF (invalid UTF-8, CRs, a BOM, cuts)', async () => {
    // Bytes that make valid and broken UTF-8 of every length, line ends, CRs and byte order marks.
    const alphabet = [0x41, 0x20, 0x0a, 0x0a, 0x0d, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0xbf, 0xff, 0xc0, 0xf4, 0x90, 0xef, 0xbb];
    const rng = new Rng(7);
    for (let round = 0; round < 300; round++) {
      const n = rng.int(0, 120);
      const bytes = Buffer.from(Array.from({ length: n }, () => (rng.chance(0.9) ? rng.pick(alphabet) : rng.int(0, 255))));
      if (rng.chance(0.3)) bytes.set([0xef, 0xbb, 0xbf].slice(0, Math.min(3, bytes.length)));
      const maxChars = rng.pick([Infinity, 1, 5, 20]);
      const text = new TextDecoder('utf-8').decode(bytes);
      const expected = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l).slice(0, maxChars));
      if (text === '') expected.length = 0;
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = rng.int(1, 9);
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      const lines: string[] = [];
      await forEachLines(Readable.from(chunks), 'test input', (batch) => void lines.push(...batch), undefined, maxChars);
      expect(lines, `bytes ${bytes.toString('hex')}, maxChars ${maxChars}`).to.deep.equal(expected);
    }
  });

  it('reads string chunks as their text, a pair of UTF-16 units cut between two chunks included', async () => {
    const text = 'a😀b\r\nsecond 😀\n\n😀';
    for (let cut = 1; cut < text.length; cut++) {
      const lines: string[] = [];
      await forEachLines(Readable.from([text.slice(0, cut), text.slice(cut)]), 'test input', (batch) => void lines.push(...batch));
      expect(lines, `cut at ${cut}`).to.deep.equal(['a😀b', 'second 😀', '', '😀']);
    }
  });

  it('reads past a line longer than the longest string V8 can make (600 MB), keeping its first part', async function () {
    this.timeout(60_000);
    const mb = 'z'.repeat(1 << 20);
    async function* huge(): AsyncGenerator<string> {
      yield 'before\n';
      for (let k = 0; k < 600; k++) yield mb;
      yield '\nafter\n';
    }
    const lines: string[] = [];
    await forEachLines(Readable.from(huge()), 'test input', (batch) => void lines.push(...batch), undefined, 65536);
    expect(lines.map((l) => l.length)).to.deep.equal([6, 65536, 5]);
  });

  it('scores a line longer than 64 KiB on its first 64 KiB, as the daemon does', async () => {
    const head = `session opened for user ${'x'.repeat(65536)}`.slice(0, 65536);
    const long = await runCommand(runScoreCommand, ['--train', TRAIN, '-'], `${head}${' fatal error'.repeat(50_000)}\n`);
    const cut = await runCommand(runScoreCommand, ['--train', TRAIN, '-'], `${head}\n`);
    expect(long.code, long.stderr).to.equal(0);
    expect(records(long.stdout)).to.deep.equal(records(cut.stdout));
    const templates = await runCommand(runTemplatesCommand, ['-'], `${head}${'y'.repeat(100_000)}\n`);
    expect(templates.stdout).to.equal((await runCommand(runTemplatesCommand, ['-'], `${head}\n`)).stdout);
  });

  it('warns on standard error, and still scores, when the training file has no log lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'score-empty-'));
    try {
      const train = join(dir, 'empty.log');
      writeFileSync(train, '\n  \n');
      const r = await runCommand(runScoreCommand, ['--train', train, INPUT]);
      expect(r.code).to.equal(0);
      expect(r.stderr).to.match(/^score: warning: training file '.*empty\.log' has no log lines: .*only lines with failure words are flagged/);
      const out = records(r.stdout);
      expect(out).to.have.length(6);
      // As the warning says: the lines without failure words (the blank one aside) score alike, below the threshold.
      const reasons = (x: Record<string, unknown>): string[] => x.reasons as string[];
      const plain = out.filter((x) => !reasons(x).includes('error_terms') && x.template !== '');
      expect(plain).to.have.length.above(1);
      expect(new Set(plain.map((x) => x.score)).size).to.equal(1);
      expect(plain[0]!.score).to.be.within(0.45, 0.5);
      expect(out.filter((x) => x.anomaly).every((x) => reasons(x).includes('error_terms'))).to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies --threshold', async () => {
    const all = records((await runCommand(runScoreCommand, ['--train', TRAIN, '--threshold', '0', INPUT])).stdout);
    expect(all.every((r) => r.anomaly === true)).to.equal(true);
    const none = records((await runCommand(runScoreCommand, ['--train', TRAIN, '--threshold=1', INPUT])).stdout);
    expect(none.filter((r) => r.anomaly).every((r) => r.score === 1)).to.equal(true);
    // Exponent notation, as a THRESHOLD in the YAML file may be written: 1e-1 is 0.1.
    const exp = await runCommand(runScoreCommand, ['--train', TRAIN, '--threshold', '1e-1', INPUT]);
    expect(exp.code, exp.stderr).to.equal(0);
    const tenth = records((await runCommand(runScoreCommand, ['--train', TRAIN, '--threshold', '0.1', INPUT])).stdout);
    expect(records(exp.stdout)).to.deep.equal(tenth);
    // A sign, as YAML takes it: +0.1 is 0.1, and -0 is 0.
    expect(records((await runCommand(runScoreCommand, ['--train', TRAIN, '--threshold', '+0.1', INPUT])).stdout)).to.deep.equal(tenth);
    expect(records((await runCommand(runScoreCommand, ['--train', TRAIN, '--threshold', '-0', INPUT])).stdout)).to.deep.equal(all);
  });

  it('accepts --mask rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'score-mask-'));
    try {
      const train = join(dir, 'train.log');
      writeFileSync(train, Array.from({ length: 40 }, (_, i) => `order ORD-${'abcdefgh'[i % 8]}x${'klmnop'[i % 6]} shipped`).join('\n'));
      const r = await runCommand(runScoreCommand, ['--train', train, '--mask', 'ORD-[a-z]+', '-'], 'order ORD-zzzz shipped\n');
      expect(r.code).to.equal(0);
      const [rec] = records(r.stdout);
      expect(rec!.template).to.equal('order <*> shipped');
      expect(rec!.reasons).not.to.include('new_template');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['a missing training file', ['--train', join(FIXTURES, 'no-such-file.log'), INPUT], /no-such-file\.log/],
    ['a missing input file', ['--train', TRAIN, join(FIXTURES, 'missing-input.log')], /missing-input\.log/],
    ['a directory as input', ['--train', TRAIN, FIXTURES], /directory/],
    ['no --train', [INPUT], /--train/],
    ['no input', ['--train', TRAIN], /INPUT_FILE/],
    ['a threshold above 1', ['--train', TRAIN, '--threshold', '1.5', INPUT], /threshold/],
    ['a threshold that is not a number', ['--train', TRAIN, '--threshold', 'high', INPUT], /threshold/],
    ['an invalid --mask, named as written', ['--train', TRAIN, '--mask', '(', INPUT], /bad --mask "\(": invalid regular expression "\(": Unterminated group/],
    ['a --mask matching the empty string', ['--train', TRAIN, '--mask', 'x*', INPUT], /bad --mask "x\*": matches the empty string/],
    ['an unknown option', ['--train', TRAIN, '--fast', INPUT], /--fast/],
    ['both from standard input', ['--train', '-', '-'], /standard input/],
    ['a threshold whose value is the input file', ['--train', TRAIN, '--threshold', INPUT], /--threshold must be a number/],
    ['a hexadecimal threshold', ['--train', TRAIN, '--threshold', '0x1', INPUT], /--threshold must be a number/],
    ['an empty threshold', ['--train', TRAIN, '--threshold=', INPUT], /--threshold must be a number/],
    ['an infinite threshold', ['--train', TRAIN, '--threshold', 'Infinity', INPUT], /--threshold must be a number/],
    ['a negative threshold', ['--train', TRAIN, '--threshold', '-0.5', INPUT], /--threshold must be a number between 0 and 1, got '-0.5'/],
    ['a threshold given twice', ['--train', TRAIN, '--threshold', '0.1', '--threshold=0.9', INPUT], /--threshold given 2 times \('0.1', '0.9'\): give it once/],
    ['a single-dash option', ['--train', TRAIN, '-x', INPUT], /unknown option -x/],
    ['a training file given twice', ['--train', TRAIN, '--train=other.log', INPUT], /--train given 2 times \('[^']*train[^']*', 'other.log'\): give it once/],
  ];
  it('reports a missing input file before training, not after', async () => {
    // The training stream never ends: the error can only come before training.
    const stdin = new PassThrough();
    stdin.write('sshd[1]: Accepted publickey for deploy from 10.0.0.1 port 22 ssh2\n');
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await runScoreCommand(['--train', '-', join(FIXTURES, 'missing-input.log')], { stdout: new PassThrough(), stderr, stdin });
    expect(code).to.equal(2);
    expect(err).to.match(/missing-input\.log/);
  });

  for (const [name, args, re] of usage) {
    it(`exits 2 with a clear message for ${name}`, async () => {
      const r = await runCommand(runScoreCommand, args);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(re);
      expect(r.stdout).to.equal('');
    });
  }

  it('refuses standard input named as a path for one file and - for the other, when it is a pipe', () => {
    // Before, training read the whole pipe through /dev/stdin and the input `-` was empty: no output, exit 0.
    const lines = readFileSync(INPUT, 'utf8');
    for (const args of [['--train', '/dev/stdin', '-'], ['--train', '-', '/dev/stdin']]) {
      let failure: { status: number; stderr: string } | null = null;
      try {
        execFileSync(CLI, ['score', ...args], { input: lines, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        failure = err as { status: number; stderr: string };
      }
      expect(failure?.status, args.join(' ')).to.equal(2);
      expect(failure?.stderr).to.include('the training file and the input cannot both be standard input');
    }
    // A regular file on standard input is opened anew through /dev/stdin: training on it and scoring `-` works.
    const out = execFileSync('/bin/sh', ['-c', `"${process.execPath}" "${CLI}" score --train /dev/stdin - < "${INPUT}"`], { encoding: 'utf8' });
    expect(out.trim().split('\n')).to.have.length(lines.trim().split('\n').length);
  });

  it('refuses one named pipe as both the training file and the input', () => {
    // Before, training read every line of the pipe and the input was empty: no output, exit 0.
    const dir = mkdtempSync(join(tmpdir(), 'score-fifo-'));
    try {
      const fifo = join(dir, 'log.fifo');
      execFileSync('mkfifo', [fifo]);
      // A writer, as a user would have one (`cat log > fifo &`); killed at the end, unread. The
      // command runs in a process of its own: a pipe opened without a writer blocks for good.
      const writer = spawn('/bin/sh', ['-c', `exec cat "${INPUT}" > "${fifo}"`], { stdio: 'ignore' });
      try {
        const r = spawnSync(process.execPath, [CLI, 'score', '--train', fifo, fifo], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr).to.include(`the training file and the input are the same pipe '${fifo}'`);
        expect(r.stdout).to.equal('');
      } finally {
        writer.kill('SIGKILL');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as the built file itself, as a checkout without npm link calls it', () => {
    const out = execFileSync(CLI, ['score', '--train', TRAIN, INPUT], { encoding: 'utf8' });
    expect(records(out).map((r) => r.line)).to.deep.equal(readFileSync(INPUT, 'utf8').trimEnd().split('\n').map((_, i) => i + 1));
  });

  // Loading the daemon's packages took half of a short run's time (about 0.5 s of 1 s on a slow
  // machine). A resolve hook makes each forbidden package fail to load: the commands must not need them.
  const withoutPackages = (packages: readonly string[]): string[] => {
    const hook = `export async function resolve(s, c, next) { if (${JSON.stringify(packages)}.includes(s)) throw new Error('loaded ' + s); return next(s, c); }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    return ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
  };
  const DAEMON_PACKAGES = ['mongodb', 'piscina', 'pino', 'node-cron', 'prom-client', 'yaml'];

  it('loads none of the daemon\'s packages (score), and templates not k-means either', () => {
    const score = execFileSync(process.execPath, [...withoutPackages(DAEMON_PACKAGES), CLI, 'score', '--train', TRAIN, INPUT], { encoding: 'utf8' });
    expect(records(score)).to.have.length(readFileSync(INPUT, 'utf8').trimEnd().split('\n').length);
    const templates = execFileSync(process.execPath, [...withoutPackages([...DAEMON_PACKAGES, 'ml-kmeans']), CLI, 'templates', TRAIN], { encoding: 'utf8' });
    expect(templates).to.include('Accepted publickey for <*> from <*> port <*>');
    // The hook works: the daemon's command cannot start without its packages.
    expect(() => execFileSync(process.execPath, [...withoutPackages(DAEMON_PACKAGES), CLI, 'check-config', '--help'], { stdio: 'pipe' })).to.throw(/loaded /);
  });
});

describe('templates command', function () {
  this.timeout(20000);

  it('prints count, tab, template, most frequent first', async () => {
    const r = await runCommand(runTemplatesCommand, [TRAIN]);
    expect(r.code).to.equal(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.length).to.be.at.least(5);
    const counts = rows.map(([c]) => Number(c));
    expect(counts.reduce((a, b) => a + b, 0)).to.equal(120);
    expect([...counts].sort((a, b) => b - a)).to.deep.equal(counts);
    expect(rows.map((x) => x[1])).to.include('Accepted publickey for <*> from <*> port <*>');
  });

  it('prints JSON lines with --json', async () => {
    const r = await runCommand(runTemplatesCommand, ['--json', '-'], 'a b 1\na b 2\nc d\n');
    expect(r.code).to.equal(0);
    expect(records(r.stdout)).to.deep.equal([
      { count: 2, id: 1, template: 'a b <*>' },
      { count: 1, id: 2, template: 'c d' },
    ]);
  });

  it('learns the header of raw syslog lines first: short messages keep their own templates', async () => {
    const words = ['Starting', 'Stopping', 'Reloading', 'Rebooting'];
    const text = Array.from({ length: 40 }, (_, i) => `Nov 9 12:10:${10 + i} gateway kernel: ${words[i % 4]}\n`).join('');
    const r = await runCommand(runTemplatesCommand, ['-'], text);
    expect(r.code).to.equal(0);
    expect(r.stdout.trimEnd().split('\n').sort()).to.deep.equal(words.map((w) => `10\t<*> gateway kernel: ${w}`).sort());
  });

  it('says on standard error how many lines it no longer lists when templates beyond the cap were evicted', async () => {
    // 5,100 messages of their own (letters, not numbers, tell them apart) against a cap of 5,000.
    const name = (i: number): string => i.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[Number(d)]!);
    const text = Array.from({ length: 5100 }, (_, i) => `module ${name(i)} says ${name(i)}x\n`).join('');
    const r = await runCommand(runTemplatesCommand, ['-'], text);
    expect(r.code).to.equal(0);
    const listed = r.stdout.trimEnd().split('\n').reduce((a, l) => a + Number(l.split('\t')[0]), 0);
    expect(listed).to.be.below(5100);
    expect(r.stderr).to.equal(`templates: ${5100 - listed} of 5100 lines belonged to templates evicted beyond the cap of 5000 (the least used); they are not listed\n`);
    // Within the cap, nothing is said.
    expect((await runCommand(runTemplatesCommand, ['-'], 'a b 1\na b 2\n')).stderr).to.equal('');
  });

  it('lists no template for blank lines', async () => {
    const r = await runCommand(runTemplatesCommand, ['-'], 'a b 1\n\n   \na b 2\n');
    expect(r.stdout).to.equal('2\ta b <*>\n');
  });

  it('exits 2 naming an unreadable file', async () => {
    const r = await runCommand(runTemplatesCommand, [join(FIXTURES, 'absent.log')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/absent\.log/);
  });
});
