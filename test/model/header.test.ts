import { expect } from 'chai';
import { TemplateMiner } from '../../src/model/miner.js';
import { compileMasks, tokenize } from '../../src/model/mask.js';
import { HEADER_SAMPLE, HeaderWarmup, collapseField, fieldEnd, headerOf, learnAll } from '../../src/model/header.js';
import { DEFAULT_THRESHOLD, HostModel } from '../../src/model/detector.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { Trainer } from '../../src/model/trainer.js';
import { ModelCore } from '../../src/model/core.js';
import { Familiarity } from '../../src/model/familiarity.js';

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

  it('keeps one-word messages apart when they share only their level (no level dominates: logcat)', () => {
    // Spelled out, a level is a word of every line at that level; it names the severity of any
    // message, as a key names a field, and must not let `cancelAutohide` join `suspendAutohide`.
    const words = ['cancelAutohide', 'suspendAutohide', 'resumeSuspendedAutohide', 'removeNotificationChildren'];
    const levels = ['I', 'D', 'V'];
    const lines = Array.from({ length: 120 }, (_, i) => `03-17 16:13:${String(10 + (i % 50))}.861  ${2000 + i}  ${2200 + i} ${levels[i % 3]!} PhoneStatusBar: ${words[i % 4]!}`);
    const templates = learned(lines).templates().map((t) => t.template);
    for (const w of words) for (const l of ['INFO', 'DEBUG', 'VERBOSE']) expect(templates).to.include(`<*> ${l} PhoneStatusBar: ${w}`);
    expect(templates).to.have.length(12);
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

/** Java-style lines (`%d %p [%t] %c: %m`) whose thread names vary in words and length. */
const THREADS = ['main', 'AsyncDispatcher event handler', 'RMCommunicator Allocator', 'IPC Server handler 13 on 62270', 'LeaseRenewer:app@nn-1:9000'];
function java(messages: readonly string[], level = 'INFO'): string[] {
  return messages.map((m, i) => `2015-10-18 18:0${i % 10}:47,978 ${level} [${THREADS[(i * 7) % THREADS.length]!}] org.example.Service: ${m}`);
}

describe('a bracketed header field (a Java thread name)', () => {
  it('spans one bracketed group, nested brackets included, but never a bracketed level', () => {
    const cases: Array<[string, number, number]> = [
      ['<*> INFO [IPC Server handler <*> on <*>] org.x.Y: done', 2, 7],
      ['<*> INFO [main] org.x.Y: done', 2, 2],
      ['<*> - INFO [QuorumPeer[myid=<*>]<*>] - Notification', 3, 3],
      ['<*> INFO [Thread pool a b] x', 2, 5],
      ['<*> INFO main x', 2, -1],
      ['<*> [error] [client <*>] File does not exist', 1, -1],
      ['<*> [notice] done', 1, -1],
      ['<*> INFO [never closed by the line', 2, -1],
    ];
    for (const [line, p, end] of cases) expect(fieldEnd(line.split(' '), p), line).to.equal(end);
  });

  it('becomes one <*> whose value is the field, the other values in place', () => {
    const tok = tokenize('2015-10-18 18:01:47,978 INFO [IPC Server handler 13 on 62270] org.x.Y: read 5 rows', masks);
    const c = collapseField(tok, 2);
    expect(c.tokens).to.deep.equal(['<*>', 'INFO', '<*>', 'org.x.Y:', 'read', '<*>', 'rows']);
    expect(c.values[c.valueEnd[1]!]).to.equal('[IPC Server handler <*> on <*>]');
    expect(c.values.slice(c.valueEnd[4]!, c.valueEnd[5]!)).to.deep.equal(['5']);
    expect(c.valueEnd).to.have.length(c.tokens.length);
    expect(collapseField(tokenize('2015-10-18 18:01:47,978 INFO main started', masks), 2).tokens).to.deep.equal(['<*>', 'INFO', 'main', 'started']);
  });

  it('groups the same message from any thread as one template (the thread was part of it before)', () => {
    const messages = Array.from({ length: 200 }, (_, i) =>
      [`Address change detected. Old: nn-1/10.0.0.${i % 9}:9000 New: nn-1:9000`, `Task ${i} transitioned to RUNNING`, 'Shutting down'][i % 3]!,
    );
    const miner = learned(java(messages));
    expect(miner.headerField()).to.equal(2);
    expect(miner.templates().map((t) => t.template).sort()).to.deep.equal(
      [
        '<*> INFO <*> org.example.Service: Address change detected. Old: <*> New: <*>',
        '<*> INFO <*> org.example.Service: Shutting down',
        '<*> INFO <*> org.example.Service: Task <*> transitioned to RUNNING',
      ].sort(),
    );
    // A thread never seen before changes nothing.
    expect(miner.match('2015-10-18 18:09:47,978 INFO [Socket Reader #1 for port 8020] org.example.Service: Shutting down')?.template).to.equal(
      '<*> INFO <*> org.example.Service: Shutting down',
    );
  });

  it('keeps a bracketed level as the line\'s level (Apache), and is saved and reloaded with the model', () => {
    const apache = Array.from({ length: 60 }, (_, i) => `[Sun Dec 04 04:${10 + (i % 40)}:44 2005] [${i % 4 === 0 ? 'error' : 'notice'}] worker ${i} ready`);
    const miner = learned(apache);
    expect(miner.templates().map((t) => t.template).sort()).to.deep.equal(['<*> [error] worker <*> ready', '<*> [notice] worker <*> ready']);
    const trainer = new ModelTrainer();
    const lines = java(Array.from({ length: 300 }, (_, i) => [`Task ${i} transitioned to RUNNING`, 'Shutting down', `Fetched ${i} rows`][i % 3]!));
    for (const l of lines) trainer.add(l);
    const model = trainer.finish();
    const again = HostModel.deserialize(model.serialize());
    const probe = '2015-10-18 18:09:47,978 INFO [Socket Reader #1 for port 8020] org.example.Service: Shutting down';
    expect(again.score(probe)).to.deep.equal(model.score(probe));
    expect(model.score(probe).reasons).to.not.include('new_template');
    // A model saved before header fields existed has none, and reads its lines as before.
    const snap = JSON.parse(JSON.stringify(learned(java(['a b', 'c d'])).toJSON())) as Record<string, unknown>;
    expect(TemplateMiner.fromJSON(snap).headerField()).to.equal(-1);
    expect(() => TemplateMiner.fromJSON({ ...snap, field: 'x' })).to.throw(/header field/);
  });

  it('leaves RFC 5424 structured data as fields: each value judged, a new parameter a new field', () => {
    // Structured data opens a bracket at the same header position on every line. As the header's
    // field it was one slot whose value was its masked text: a request's `status="503"` and
    // `ms="60000"` scored 0, and a parameter a deploy added to every line was an unusual value on
    // every line until the next retraining (509 of 1,200 routine lines in a review's set).
    expect(fieldEnd('<*> shop <*> REQ [<*> id="<*>" path="<*>" status="<*>"] request served'.split(' '), 4)).to.equal(-1);
    expect(fieldEnd('<*> evntslog - ID47 [<*> iut="<*>" eventID="<*>"][<*> class="<*>"] An event'.split(' '), 4)).to.equal(-1);
    let n = 0;
    const line = (extra: string, status = n % 5 === 0 ? 404 : 200, ms = n % 800): string => {
      n++;
      const sd = [`id="${((n * 2654435761) >>> 0).toString(16)}"`, extra, `path="/api/cart/${n % 977}"`, `status="${status}"`, `ms="${ms}"`];
      return `<134>1 2024-03-01T00:${String(n % 60).padStart(2, '0')}:13.436Z web-3.example.net shop ${100 + (n % 9000)} REQ [req@32473 ${sd.filter((x) => x !== '').join(' ')}] request served`;
    };
    const trainer = new ModelTrainer();
    for (let i = 0; i < 3000; i++) trainer.add(line(''));
    const model = trainer.finish();
    const failed = model.score(line('', 503, 60000));
    expect(failed.score).to.be.at.least(DEFAULT_THRESHOLD);
    expect(failed.reasons).to.include('unusual_value');
    const familiar = new Familiarity();
    const scored = Array.from({ length: 300 }, (_, i) => model.score(line(`tenant="t${1 + (i % 9)}"`), familiar));
    expect(scored[0]!.reasons).to.include('new_fields');
    expect(scored.filter((s) => s.score >= DEFAULT_THRESHOLD).length).to.be.at.most(5);
    // A parameter appended as the element's last, glued to its `]`, is a new field too, and the
    // values beside it are judged: it was a new message, and a 503 taking 60 s scored 0.34.
    const appended = (status?: number, ms?: number): string => line('', status, ms).replace('"] request', '" region="eu"] request');
    const slow = model.score(appended(503, 60000));
    expect(slow.reasons.slice(0, 1)).to.deep.equal(['new_fields']);
    expect(slow.reasons).to.include('unusual_value');
    expect(slow.score).to.be.at.least(DEFAULT_THRESHOLD);
    expect(slow.template).to.match(/ ms="<\*>" region="<\*>"\] request served$/);
    const deploy = new Familiarity();
    const routine = Array.from({ length: 300 }, () => model.score(appended(), deploy));
    expect(routine[0]!.reasons).to.include('new_fields');
    expect(routine.filter((s) => s.score >= DEFAULT_THRESHOLD).length).to.be.at.most(5);
  });

  it('reads the thread where the record has it when a field was added to an MDC bracket before it', () => {
    // log4j's `%X` before the thread: a field appended to the MDC moved the thread one token out of
    // the header's place, the miner left it whole, and the record's thread slot held the thread's
    // name instead of its masked text: an unusual value on every line of the deploy.
    const line = (i: number, region = ''): string =>
      `2024-03-01 00:00:${String(i % 60).padStart(2, '0')},011 INFO  [user="u${i % 37}" tenant="t${i % 5}" trace="${(i * 7919).toString(16)}"${region}] [http-nio-8080-exec-${i % 200}] c.e.shop.OrderService - Order ${900_000 + i} created with ${1 + (i % 9)} items`;
    const trainer = new ModelTrainer();
    for (let i = 0; i < 3000; i++) trainer.add(line(i));
    const model = trainer.finish();
    const familiar = new Familiarity();
    const scored = Array.from({ length: 300 }, (_, i) => model.score(line(5000 + i, ' region="eu-west-1"'), familiar));
    expect(scored[0]!.reasons).to.deep.equal(['new_fields', 'unseen_tokens']);
    expect(scored[0]!.template).to.equal(model.score(line(1)).template.replace('"] ', '" region="<*>"] '));
    expect(scored.filter((s) => s.reasons.includes('unusual_value')).length).to.equal(0);
    expect(scored.filter((s) => s.score >= DEFAULT_THRESHOLD).length).to.be.at.most(5);
    // A thread of several tokens moved so cannot be written back in its place: a new message, as before.
    expect(model.score(line(9, ' region="eu"').replace(/\[http-nio-8080-exec-\d+\]/, '[pool-1 worker 3]')).reasons).to.include('new_template');
  });

  it('counts the field that opens an MDC bracket among the record\'s fields', () => {
    // `[user="u16" tenant="t3"]`: the first field, glued to its `[`, was no field, so a record of
    // two MDC fields had one, too few to take a new field: the deploy's lines were new messages and
    // a 60 s order among them was missed (0.37).
    const line = (i: number, region = '', ms = 5 + (i % 290)): string =>
      `2026-11-02 10:00:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} INFO  [user="u${1 + (i % 50)}" tenant="t${1 + (i % 6)}"${region}] [http-nio-8080-exec-${1 + (i % 200)}] c.e.shop.OrderService - Order ${900_000 + i} created with ${1 + (i % 9)} items in ${ms} ms`;
    const trainer = new ModelTrainer();
    for (let i = 0; i < 3000; i++) trainer.add(line(i));
    const model = trainer.finish();
    const familiar = new Familiarity();
    const scored = Array.from({ length: 200 }, (_, i) => model.score(line(5000 + i, ' region="eu-west-1"'), familiar));
    expect(scored[0]!.reasons).to.include('new_fields');
    expect(scored.filter((s) => s.score >= DEFAULT_THRESHOLD).length).to.be.at.most(5);
    const slow = model.score(line(5300, ' region="eu-west-1"', 60_000), familiar);
    expect(slow.reasons).to.include('unusual_value');
    expect(slow.score).to.be.at.least(DEFAULT_THRESHOLD);
    // A new field that opens the bracket cannot be taken out without it: a new message.
    expect(model.score(line(9).replace('[user=', '[region="eu" user=')).reasons).to.include('new_template');
  });

  it('keeps a level glued to the time in brackets (Elasticsearch) out of the header field', () => {
    // `[<time>][ERROR][o.e.c.r.a.AllocationService]`: collapsed as a bracketed field with the time,
    // the level was a value of the header, and an ERROR line of a routine message scored as routine
    // (0.40); the INFO line's `[<time>][INFO ` (padded to five) the same.
    const at = (i: number): string => `[2024-03-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,${String((i * 37) % 1000).padStart(3, '0')}]`;
    const health = (i: number, level = 'INFO '): string =>
      `${at(i)}[${level}][o.e.c.r.a.AllocationService] [es-node-1] Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started [[logs-${i}][0]]]).`;
    const gc = (i: number): string => `${at(i)}[INFO ][o.e.m.j.JvmGcMonitorService] [es-node-1] [gc][${100_000 + i}] overhead, spent [${300 + (i % 400)}ms] collecting in the last [1s]`;
    const trainer = new ModelTrainer();
    for (let i = 0; i < 3000; i++) trainer.add(i % 3 === 0 ? health(i) : gc(i));
    const model = trainer.finish();
    expect(model.score(health(5001)).score).to.be.below(DEFAULT_THRESHOLD);
    const error = model.score(health(5002, 'ERROR'));
    expect(error.reasons).to.include('error_terms');
    expect(error.score).to.be.at.least(DEFAULT_THRESHOLD);
  });
});
