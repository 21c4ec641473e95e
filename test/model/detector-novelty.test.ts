// Tables of log lines for the novelty and contamination behaviour of the model:
// lines of another system on a host with a large vocabulary, routine new
// messages made of the host's own words, failures hidden in the training data
// (a few percent, and one burst), errors the host writes on many occasions.
import { expect } from 'chai';
import { DEFAULT_THRESHOLD, HostModel } from '../../src/model/detector.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { Rng } from '../../src/seeded-random.js';

/** The project's seeded generator, so every run trains the same model. */
function rng(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.next();
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

// A diverse host (a phone-like system service): many components, each with
// a handful of messages, so the vocabulary is large and new messages are common.
const COMPONENTS = ['PowerManager', 'WindowManager', 'ActivityManager', 'AudioService', 'InputReader', 'Telephony', 'Bluetooth', 'Wifi'];
const VERBS = ['update', 'acquire', 'release', 'notify', 'register', 'dispatch', 'resolve', 'schedule', 'cancel', 'apply'];
const NOUNS = ['wakelock', 'display', 'surface', 'focus', 'listener', 'state', 'policy', 'brightness', 'session', 'intent', 'token', 'window'];
const PKGS = ['com.example.mail', 'com.example.maps', 'com.example.chat', 'com.example.camera'];

function diverseHost(n: number, seed: number): string[] {
  const r = rng(seed);
  // 120 message kinds built once from the host's own words; weights fall off (Zipf-like).
  const kinds: Array<(r: () => number) => string> = [];
  const k = rng(seed + 1000);
  for (let i = 0; i < 120; i++) {
    const comp = pick(k, COMPONENTS);
    const verb = pick(k, VERBS);
    const noun = pick(k, NOUNS);
    const noun2 = pick(k, NOUNS);
    const form = i % 4;
    if (form === 0) kinds.push((r) => `${comp}: ${verb}${noun[0]!.toUpperCase()}${noun.slice(1)}Locked: ${noun2}=${int(r, 0, 300)}, uid=${int(r, 1000, 1010)}`);
    else if (form === 1) kinds.push((r) => `${verb} ${noun} for ${pick(r, PKGS)} pid ${int(r, 300, 30000)} ${noun2} ok`);
    else if (form === 2) kinds.push((r) => `${comp} ${noun} ${verb}d: ${noun2} ${int(r, 0, 9)} of ${int(r, 10, 20)}`);
    else kinds.push((r) => `[${comp}] ${verb}${noun[0]!.toUpperCase()}${noun.slice(1)}: ${noun2}=${pick(r, ['true', 'false'])} pkg=${pick(r, PKGS)}`);
  }
  const weights = kinds.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let x = r() * total;
    let j = 0;
    while ((x -= weights[j]!) > 0 && j < kinds.length - 1) j++;
    out.push(kinds[j]!(r));
  }
  return out;
}

function train(lines: readonly string[]): HostModel {
  const t = new ModelTrainer();
  for (const l of lines) t.add(l);
  return t.finish();
}

describe('detector: novelty and contaminated training', function () {
  this.timeout(30000);
  const lines = diverseHost(20000, 7);
  const model = train(lines);

  describe('lines of another system on a host with a large vocabulary', () => {
    const foreign = [
      'jk2_init() Found child 6726 in scoreboard slot 8',
      'Receiving block blk_-4655280636272058732 src: /10.251.26.8:48892 dest: /10.251.26.8:50010',
      'synchronized to 10.100.20.250, stratum 3',
      'Received disconnect from 183.62.140.253: 11: Bye Bye [preauth]',
      'Accepted publickey for deploy from 43.65.161.149 port 45864 ssh2',
      'Starting quorum peer leader election with epoch 18',
    ];
    for (const line of foreign) {
      it(`flags "${line.slice(0, 50)}"`, () => {
        const s = model.score(line);
        expect(s.reasons).to.include('new_template');
        expect(s.reasons).to.include('unseen_tokens');
        expect(s.score, JSON.stringify(model.explain(line))).to.be.at.least(DEFAULT_THRESHOLD);
      });
    }
  });

  describe('the same host through a syslog header', () => {
    // Every line carries the host's and program's names: they are the header's, not the message's,
    // and must not make another system's line look half made of the host's own pieces.
    const header = (i: number): string => `Nov ${1 + (i % 28)} 06:${String(i % 60).padStart(2, '0')}:46 gateway system_server[${800 + (i % 50)}]: `;
    const raw = train(lines.map((l, i) => header(i) + l));
    const foreign = ['Got assigned task 1263', 'Send worker leaving thread', 'jk2_init() Found child 6726 in scoreboard slot 8'];
    for (const line of foreign) {
      it(`judges "${line}" by its own pieces, as without the header, and flags it`, () => {
        const plain = model.explain(line);
        const withHeader = raw.explain(header(99) + line);
        expect(withHeader.evidence.novelty!.foreign).to.equal(plain.evidence.novelty!.foreign);
        expect(withHeader.evidence.novelty!.words).to.equal(plain.evidence.novelty!.words);
        expect(withHeader.score, JSON.stringify(withHeader)).to.be.at.least(DEFAULT_THRESHOLD);
      });
    }
  });

  describe('identifier pieces: a new message of the host reuses its pieces, a foreign line does not', () => {
    // Same host component, two compound words never seen whole, one masked number: the unseen-word
    // counts and similarities are equal, only the pieces differ (apply, window, token, session,
    // state are all the host's; send, heartbeat, packet, leader, epoch none of them).
    const own = 'PowerManager: applyWindowToken: sessionState=3';
    const other = 'PowerManager: sendHeartbeatPacket: leaderEpoch=3';

    it('scores the foreign line well above the host\'s own new message', () => {
      const a = model.explain(own);
      const b = model.explain(other);
      expect(a.evidence.novelty!.unseen).to.equal(b.evidence.novelty!.unseen);
      expect(a.evidence.novelty!.foreign).to.equal(0);
      expect(b.evidence.novelty!.foreign).to.be.greaterThan(0.5);
      expect(b.score - a.score, JSON.stringify([a, b])).to.be.at.least(0.2);
      expect(b.score).to.be.at.least(DEFAULT_THRESHOLD);
    });

    it('is not taught by a few lines of other systems hidden once each in the training data', () => {
      // Eight foreign lines in 20,000 (0.04%), some sharing pieces with each other or the host
      // (block, init, session). Before they were weighed by their own pieces, they made every
      // new line that looked foreign the host's routine: the probes fell to 0.67-0.75 of their
      // score under clean training.
      const hidden = [
        'Receiving block blk_-4655280636272058732 src: /10.251.26.8:48892 dest: /10.251.26.8:50010',
        'synchronized to 10.100.20.250, stratum 3',
        'Received disconnect from 183.62.140.253: 11: Bye Bye [preauth]',
        'workerEnv.init() ok /etc/httpd/conf/workers2.properties',
        'Session: 30546174_170026732 initialized by client WindowsUpdateAgent.',
        'Times: total = 41, boot = 15, init = 26, finish = 0',
        'PacketResponder 2 for block blk_2529569087635823495 terminating',
        'Got assigned task 299',
      ];
      const withHidden = [...lines];
      hidden.forEach((h, i) => withHidden.splice(1000 + i * 2000, 0, h));
      const contaminated = train(withHidden);
      const probes = ['jk2_init() Found child 6726 in scoreboard slot 8', 'Starting quorum peer leader election with epoch 18'];
      const ratios = probes.map((p) => contaminated.score(p).score / model.score(p).score);
      expect(ratios.reduce((a, b) => a + b, 0) / ratios.length, JSON.stringify(ratios)).to.be.at.least(0.85);
      for (const p of probes) expect(contaminated.score(p).score).to.be.at.least(DEFAULT_THRESHOLD);
    });
  });

  describe('routine new messages made of the host words stay below the threshold', () => {
    const routine = [
      'PowerManager: releaseDisplayLocked: focus=12, uid=1003, state=4',
      'schedule listener for com.example.maps pid 4242 token ok again',
      'WindowManager surface dispatched: policy 3 of 14 window',
      '[Wifi] cancelSession: policy=false pkg=com.example.chat uid=1001',
    ];
    for (const line of routine) {
      it(`keeps "${line.slice(0, 50)}" below`, () => {
        const s = model.score(line);
        expect(s.reasons).to.include('new_template');
        expect(s.score, JSON.stringify(model.explain(line))).to.be.lessThan(DEFAULT_THRESHOLD);
      });
    }
  });

  describe('failures in the training data', () => {
    // Three failure messages, each written on three separate occasions (a few percent of
    // contamination), one of them also in a burst of 50 copies; and an error the host writes
    // all the time, on hundreds of occasions.
    const failures = [
      'ERROR storage: write to /dev/sdb1 failed: Input/output error',
      'FATAL: database connection pool exhausted, aborting request handler',
      'kernel: Out of memory: Kill process 4242 (java) score 901 or sacrifice child',
    ];
    const noisy = 'Wifi: scan failed for interface wlan0, retrying';
    const base = diverseHost(6000, 11);
    const r = rng(3);
    const withNoise: string[] = [];
    for (const l of base) {
      withNoise.push(l);
      if (r() < 0.04) withNoise.push(noisy);
    }
    for (const [k, f] of failures.entries()) for (let occ = 0; occ < 3; occ++) withNoise.splice(500 + k * 700 + occ * 1900, 0, f);
    for (let i = 0; i < 50; i++) withNoise.splice(3000 + i * 2, 0, failures[0]!);
    const contaminated = train(withNoise);

    for (const f of failures) {
      it(`still flags "${f.slice(0, 45)}" seen on a few occasions (one with a burst)`, () => {
        const s = contaminated.score(f);
        expect(s.reasons).to.include('error_terms');
        expect(s.score, JSON.stringify(contaminated.explain(f))).to.be.at.least(DEFAULT_THRESHOLD);
      });
    }

    it('lets an error written on many separate occasions fade below the threshold', () => {
      const s = contaminated.score(noisy);
      expect(s.reasons).to.include('error_terms');
      expect(s.score).to.be.lessThan(DEFAULT_THRESHOLD);
      // ... but it stays above an ordinary line of the same host.
      expect(s.score).to.be.greaterThan(contaminated.score(base[0]!).score);
    });

    it('does not let a burst lend its weight to the other occasions of the message', () => {
      // Same three occasions without the burst: the burst adds under 3 occasions' worth.
      const without = withNoise.filter((l, i) => !(l === failures[0] && i >= 3000 && i < 3200));
      const m = train(without);
      const a = m.explain(failures[0]!).evidence.errors;
      const b = contaminated.explain(failures[0]!).evidence.errors;
      expect(b).to.be.at.most(a);
      expect(b).to.be.greaterThan(0.6 * a);
    });

    it('counts a burst as one occasion when its lines name a different component every few lines', () => {
      // The miner first keeps each name apart (an enumeration), then merges them into one template
      // once the position turns out variable: the names' overlapping occasions were counted as
      // separate ones (5 here), as if the error had happened on five days.
      const withBurst = (tag: (i: number) => string): HostModel => {
        const ls = base.slice();
        for (let i = 0; i < 50; i++) ls.splice(3000 + i * 2, 0, `${tag(i)}: binder transaction 4711 failed, size 0`);
        return train(ls);
      };
      const names = [...COMPONENTS, 'Camera', 'Sensor', 'Location', 'Storage'];
      const varying = withBurst((i) => names[Math.floor(i / 4) % names.length]!);
      const fixed = withBurst(() => 'Binder');
      const record = JSON.parse(varying.serialize()).templates.find((t: { tokens: string[] }) => t.tokens.includes('binder'));
      expect(record.tokens[0]).to.equal('<*>');
      expect(record.episodes).to.equal(1);
      const line = ': binder transaction 4711 failed, size 0';
      const e = varying.explain(`Wifi${line}`);
      expect(e.evidence.errors).to.be.greaterThan(0.9 * fixed.explain(`Binder${line}`).evidence.errors);
      expect(e.score).to.be.at.least(DEFAULT_THRESHOLD);
    });
  });

  // A review's Go service (zap): a deploy renamed `request served` to `http request` and added
  // `svc_version`; every request was a new message after it, its values judged by nothing, and a
  // latency spike of 5.8 s where requests took 20-90 ms went unflagged (4 of 84 lines).
  describe('a reworded message keeps the fields of the known one it is like', () => {
    const r = rng(77);
    const served = (msg: string, duration: string, extra = ''): string =>
      `{"level":"info","ts":${1727900104 + int(r, 0, 9e5)}.642814,"caller":"server/middleware.go:58","msg":"${msg}","method":"${pick(r, ['GET', 'POST'])}","path":"/v1/quotes","status":200,"duration":"${duration}","bytes":${int(r, 200, 9000)}${extra}}`;
    const t = new ModelTrainer();
    for (let i = 0; i < 3000; i++) {
      t.add(served('request served', `${int(r, 20, 90)}.${int(r, 100, 999)}ms`));
      if (i % 5 === 0) t.add(`{"level":"info","ts":${1727900104 + i}.5,"caller":"quote/service.go:87","msg":"quote computed","currency":"${pick(r, ['EUR', 'CHF', 'GBP'])}","amount":${int(r, 10, 900)}.42}`);
    }
    const m = t.finish();
    const version = ',"svc_version":"1.9.0"';

    it('judges its values by their fields in the known one: a slow request is unusual, a routine one not', () => {
      const slow = m.explain(served('http request', '5.77296s', version));
      const routine = m.explain(served('http request', '45.120ms', version));
      expect(slow.reasons).to.include('new_template');
      expect(slow.reasons).to.include('unusual_value');
      expect(routine.reasons).to.not.include('unusual_value');
      expect(routine.evidence.values).to.equal(0);
      expect(slow.score).to.be.above(routine.score);
    });
  });

  describe('bounds and snapshots', () => {
    const probe = [
      'jk2_init() Found child 6726 in scoreboard slot 8',
      'PowerManager: releaseDisplayLocked: focus=12, uid=1003, state=4',
      lines[0]!,
      lines[1]!,
      '',
      'x'.repeat(5000),
      '-1 -2 -3 99999999999999999999',
    ];
    it('keeps every score in [0, 1]', () => {
      for (const l of [...probe, ...lines.slice(0, 500)]) expect(model.score(l).score).to.be.within(0, 1);
    });

    it('reloads to a model that scores identically', () => {
      const again = HostModel.deserialize(model.serialize());
      for (const l of probe) expect(again.score(l)).to.deep.equal(model.score(l));
      expect(again.serialize()).to.equal(model.serialize());
    });
  });
});
