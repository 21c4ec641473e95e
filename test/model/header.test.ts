import { expect } from 'chai';
import { TemplateMiner } from '../../src/model/miner.js';
import { compileMasks, tokenize } from '../../src/model/mask.js';
import { HEADER_SAMPLE, HeaderWarmup, headerOf, learnAll } from '../../src/model/header.js';
import { Trainer } from '../../src/model/trainer.js';
import { ModelCore } from '../../src/model/core.js';

const masks = compileMasks();
const toks = (lines: readonly string[]): string[][] => lines.map((l) => tokenize(l, masks).tokens);

/** Raw syslog lines of one host whose name has no digits: only the timestamp is masked. */
function syslog(messages: readonly string[], program = 'kernel:'): string[] {
  return messages.map((m, i) => `Nov ${1 + (i % 28)} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07 gateway ${program} ${m}`);
}

/** Short messages of one length that share nothing but their header. */
const SHORT = ['Starting', 'Stopping', 'Reloading', 'Rebooting', 'Suspending', 'Resuming'];
/** Messages with nothing in common. */
const VARIED = ['link up on eth0', 'disk sda ready', 'Out of memory: kill process 42', 'usb 1-1: new device', 'CPU0 throttled', 'md: autorun done'];

function learned(lines: readonly string[]): TemplateMiner {
  return learnAll(new TemplateMiner(), lines);
}

describe('headerOf: what most lines carry before the message', () => {
  const table: Array<[what: string, lines: string[], header: Array<[number, string]>]> = [
    ['raw syslog, host name without digits', syslog(Array.from({ length: 40 }, (_, i) => SHORT[i % 6]! + ' unit')), [[0, '<*>'], [1, 'gateway'], [2, 'kernel:']]],
    [
      'Java log: timestamp and level, not the classes',
      Array.from({ length: 40 }, (_, i) => `2015-10-18 18:01:${String(i % 60).padStart(2, '0')},978 INFO [main] org.apache.${SHORT[i % 6]}: ${VARIED[i % 6]}`),
      [[0, '<*>'], [1, 'INFO'], [2, '[main]']],
    ],
    ['message only: no token on most lines', Array.from({ length: 40 }, (_, i) => VARIED[i % 6]!), []],
    // Words every line holds in the same place tell no line from another, wherever they are.
    ['a word on every line', Array.from({ length: 40 }, (_, i) => `${SHORT[i % 6]} service number ${i}`), [[1, 'service'], [2, 'number']]],
    ['too few lines to tell', syslog(SHORT), []],
    // A one-token line's token is its message, not a header.
    ['never the last token', Array.from({ length: 40 }, () => 'heartbeat'), []],
  ];
  for (const [what, lines, header] of table) {
    it(what, () => expect(headerOf(toks(lines))).to.deep.equal(header));
  }
});

describe('TemplateMiner with a header', () => {
  it('keeps short messages that share only their header apart (they merged into <*> before)', () => {
    const lines = syslog(Array.from({ length: 60 }, (_, i) => SHORT[i % 6]!));
    const miner = learned(lines);
    const templates = miner.templates().map((t) => t.template).sort();
    expect(templates).to.deep.equal(SHORT.map((w) => `<*> gateway kernel: ${w}`).sort());
    // The same lines without the header found: the shared header makes them look half alike.
    const plain = new TemplateMiner();
    for (const l of lines) plain.add(l);
    expect(plain.templates().map((t) => t.template)).to.include('<*> gateway kernel: <*>');
  });

  it('still merges a message whose only word after the header varies ("removing <name>")', () => {
    const names = ['chargen', 'daytime', 'echo', 'discard', 'time', 'telnet'];
    const lines = syslog(Array.from({ length: 60 }, (_, i) => `removing ${names[i % 6]!}${i}`), 'xinetd[3];');
    const miner = learned(lines);
    expect(miner.templates().map((t) => t.template)).to.deep.equal(['<*> gateway xinetd[<*>]; removing <*>']);
  });

  it('groups raw lines as it groups their messages alone', () => {
    const messages: string[] = [];
    for (let i = 0; i < 200; i++) {
      messages.push(['Starting', 'Stopping'][i % 2]! + ` session ${i}`);
      messages.push(`Accepted password for u${i % 7} from 10.0.${i % 5}.${i} port ${1000 + i} ssh2`);
      messages.push(SHORT[i % 6]!);
      messages.push(`link ${['up', 'down'][i % 2]!}`);
    }
    const bare = learned(messages);
    const raw = learned(syslog(messages, 'app[42]:'));
    const groups = (m: TemplateMiner, lines: readonly string[]): number[] => {
      const seen = new Map<number, number>();
      return lines.map((l) => {
        const id = m.match(l)!.id;
        if (!seen.has(id)) seen.set(id, seen.size);
        return seen.get(id)!;
      });
    };
    expect(groups(raw, syslog(messages, 'app[42]:'))).to.deep.equal(groups(bare, messages));
  });

  it('saves and reloads its header, matching identically (also read-only)', () => {
    const lines = syslog(Array.from({ length: 60 }, (_, i) => `${SHORT[i % 6]!} ${VARIED[i % 5]!}`));
    const a = learned(lines);
    const snap = JSON.parse(JSON.stringify(a.toJSON())) as Record<string, unknown>;
    expect(snap.header).to.deep.equal([[0, '<*>'], [1, 'gateway'], [2, 'kernel:']]);
    for (const ro of [false, true]) {
      const b = TemplateMiner.fromJSON(snap, ro);
      expect(b.headerTokens()).to.deep.equal(a.headerTokens());
      for (const l of [...lines, ...syslog(['Halting disk sda ready', 'Starting'])]) expect(b.match(l)).to.deep.equal(a.match(l));
    }
    expect(() => TemplateMiner.fromJSON({ ...snap, header: [[0, 'a'], [0, 'b']] })).to.throw(/malformed data \(header\)/);
    expect(() => TemplateMiner.fromJSON({ ...snap, header: 'x' })).to.throw(/malformed data \(header\)/);
  });

  it('refuses a header once lines were learned', () => {
    const m = new TemplateMiner();
    m.add('a b c');
    expect(() => m.setHeader([[0, 'a']])).to.throw(/before the first line/);
  });
});

describe('HeaderWarmup', () => {
  it('holds back the first lines, then hands every line on in order', () => {
    const miner = new TemplateMiner();
    const seen: string[] = [];
    const warmup = new HeaderWarmup(miner, (text) => seen.push(text));
    const lines = syslog(Array.from({ length: HEADER_SAMPLE + 5 }, (_, i) => `${VARIED[i % 6]!} ${i}`));
    for (const l of lines.slice(0, HEADER_SAMPLE - 1)) warmup.push(l);
    expect(seen).to.have.length(0);
    expect(warmup.held).to.equal(HEADER_SAMPLE - 1);
    for (const l of lines.slice(HEADER_SAMPLE - 1)) warmup.push(l);
    warmup.flush();
    expect(seen).to.deep.equal(lines);
    expect(miner.headerTokens()).to.deep.equal([[0, '<*>'], [1, 'gateway'], [2, 'kernel:']]);
  });
});

describe('Trainer learns the header first', () => {
  it('gives each short raw syslog message its own template, and counts held-back lines', () => {
    const trainer = new Trainer();
    const lines = syslog(Array.from({ length: 120 }, (_, i) => SHORT[i % 6]!));
    for (const l of lines) trainer.add(l);
    expect(trainer.lines).to.equal(120);
    const core = new ModelCore(trainer.finish());
    expect(core.templates.map((t) => t.text).sort()).to.deep.equal(SHORT.map((w) => `<*> gateway kernel: ${w}`).sort());
  });
});
