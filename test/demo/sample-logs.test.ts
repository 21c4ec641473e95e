import { expect } from 'chai';
import {
  DEFAULT_RECENT_LINES_PER_HOST,
  DEFAULT_TRAINING_LINES_PER_HOST,
  DEMO_HOSTS,
  Rng,
  formatRecord,
  generateSampleLogs,
  type LogRecord,
} from '../../src/demo/sample-logs.js';

const EXPECTED_HOSTS = ['bastion-01', 'web-01', 'app-01', 'db-01', 'sw-core-01'];
const EXPECTED_INCIDENTS = ['oom-killer', 'disk-full', 'segfault', 'ssh-bruteforce', 'bgp-down', 'java-exception', 'unknown-process'];

const of = (records: LogRecord[], host: string): string[] => records.filter((r) => r.host === host).map((r) => r.message);
const sortedByTime = (records: LogRecord[]): boolean =>
  records.every((r, i) => i === 0 || records[i - 1].timestamp.getTime() <= r.timestamp.getTime());

describe('demo: sample log generator', function () {
  const logs = generateSampleLogs();

  it('Rng is deterministic per seed', function () {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const xs = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).to.deep.equal(xs);
    expect(Array.from({ length: 20 }, () => c.next())).to.not.deep.equal(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).to.equal(true);
  });

  it('is deterministic: the same seed gives the same logs, another seed different ones', function () {
    const again = generateSampleLogs();
    expect(again.training.map(formatRecord)).to.deep.equal(logs.training.map(formatRecord));
    expect(again.recent.map(formatRecord)).to.deep.equal(logs.recent.map(formatRecord));
    expect(again.recent.map((r) => r.incident ?? '')).to.deep.equal(logs.recent.map((r) => r.incident ?? ''));
    const other = generateSampleLogs({ seed: 7 });
    expect(other.training.map((r) => r.message)).to.not.deep.equal(logs.training.map((r) => r.message));
    expect(generateSampleLogs({ seed: 7 }).recent.map(formatRecord)).to.deep.equal(other.recent.map(formatRecord));
  });

  it('produces the promised hosts and line counts', function () {
    expect(logs.hosts).to.deep.equal(EXPECTED_HOSTS);
    expect([...DEMO_HOSTS]).to.deep.equal(EXPECTED_HOSTS);
    expect(DEFAULT_TRAINING_LINES_PER_HOST).to.equal(1200);
    expect(logs.training).to.have.length(EXPECTED_HOSTS.length * DEFAULT_TRAINING_LINES_PER_HOST);
    for (const host of EXPECTED_HOSTS) {
      expect(of(logs.training, host), host).to.have.length(DEFAULT_TRAINING_LINES_PER_HOST);
      const normal = logs.recent.filter((r) => r.host === host && !r.incident);
      expect(normal, host).to.have.length(DEFAULT_RECENT_LINES_PER_HOST);
    }
    const custom = generateSampleLogs({ seed: 3, trainingLinesPerHost: 300, recentLinesPerHost: 50 });
    expect(custom.training).to.have.length(5 * 300);
    expect(custom.recent.filter((r) => !r.incident)).to.have.length(5 * 50);
  });

  it('injects each incident on its host, with every line in the recent stream', function () {
    expect(logs.incidents.map((i) => i.id)).to.deep.equal(EXPECTED_INCIDENTS);
    for (const inc of logs.incidents) {
      const lines = logs.recent.filter((r) => r.incident === inc.id);
      expect(lines, inc.id).to.have.length(inc.lines);
      expect(lines.length, inc.id).to.be.at.least(2);
      expect(new Set(lines.map((l) => l.host)), inc.id).to.deep.equal(new Set([inc.host]));
    }
    const injected = logs.recent.filter((r) => r.incident).length;
    expect(injected).to.equal(logs.incidents.reduce((s, i) => s + i.lines, 0));
    expect(injected / logs.recent.length).to.be.below(0.06);
  });

  it('keeps time order: training sorted, recent sorted and after the training history', function () {
    expect(sortedByTime(logs.training)).to.equal(true);
    expect(sortedByTime(logs.recent)).to.equal(true);
    expect(logs.recent[0].timestamp.getTime()).to.be.greaterThan(logs.training.at(-1)!.timestamp.getTime());
    const days = (logs.training.at(-1)!.timestamp.getTime() - logs.training[0].timestamp.getTime()) / 86_400_000;
    expect(days).to.be.within(4, 5);
  });

  it('looks like real logs of each kind of host, with varying values', function () {
    const has = (host: string, re: RegExp): number => of(logs.training, host).filter((m) => re.test(m)).length;
    expect(has('bastion-01', /^sshd\[\d+\]: Accepted publickey for \w+ from [\d.]+ port \d+ ssh2/)).to.be.above(30);
    expect(has('bastion-01', /^CRON\[\d+\]: /)).to.be.above(30);
    expect(has('bastion-01', /^sudo\[\d+\]: /)).to.be.above(30);
    expect(has('bastion-01', /^kernel: \[\s*\d+\.\d{6}\] \[UFW BLOCK\] /)).to.be.above(30);
    expect(has('web-01', /^nginx: [\d.]+ - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "(GET|POST) \S+ HTTP\/[\d.]+" \d{3} \d+ /)).to.be.above(600);
    expect(has('web-01', /^nginx: \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[(error|warn)\] /)).to.be.above(10);
    expect(has('app-01', /^orders-api\[\d+\]: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  INFO \d+ --- \[/)).to.be.above(800);
    expect(has('db-01', /^postgres\[\d+\]: \[\d+-1\] LOG:  checkpoint complete: wrote \d+ buffers/)).to.be.above(20);
    expect(has('sw-core-01', /^\d+: \w{3} \d\d \d\d:\d\d:\d\d\.\d{3} UTC: %LINK-3-UPDOWN: Interface GigabitEthernet1\/0\/\d+, changed state to (up|down)$/)).to.be.above(100);
    expect(has('sw-core-01', /%BGP-5-ADJCHANGE: neighbor [\d.]+ (Up|Down User reset)$/)).to.be.above(4);
    // Values vary: many distinct messages, client addresses and ports.
    const web = of(logs.training, 'web-01');
    expect(new Set(web).size / web.length).to.be.above(0.9);
    expect(new Set(web.map((m) => m.split(' ')[1])).size).to.be.above(300);
    for (const host of EXPECTED_HOSTS) {
      const programs = new Set(of(logs.training, host).map((m) => /^(?:\d+: .*? UTC: )?(%[A-Z_]+|[\w-]+)/.exec(m)?.[1]));
      expect(programs.size, `${host} programs`).to.be.at.least(3);
    }
  });

  it('keeps every incident out of the training history (they are really new)', function () {
    const training = logs.training.map((r) => r.message).join('\n');
    for (const needle of [
      'Out of memory',
      'oom-killer',
      'segfault',
      'No space left on device',
      'Failed password',
      'Invalid user',
      'hold time expired',
      'NullPointerException',
      'kdevtmpfsi',
      'www-data',
    ]) {
      expect(training, needle).to.not.include(needle);
    }
    // ...while the recent stream's normal lines come from the same distribution as the training.
    const normal = logs.recent.filter((r) => !r.incident).map((r) => r.message).join('\n');
    expect(normal).to.not.include('Failed password');
    expect(normal).to.include('Accepted publickey');
  });
});
