// What a value never seen in its slot is worth: tables of training values and
// new values, judged by the slot statistics alone.
import { expect } from 'chai';
import { SlotAccumulator, SlotTable } from '../../src/model/slots.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { Familiarity } from '../../src/model/familiarity.js';

/** A one-slot table trained on `values`. */
function slotOf(values: readonly string[]): SlotTable {
  const acc = new SlotAccumulator();
  for (const v of values) acc.add(v);
  return new SlotTable([[[0, -1, acc.freeze()]]]);
}

const repeat = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));
/** ln(1000): the evidence of the default threshold (a line 1/1,000 as likely as a normal one). */
const THRESHOLD_NATS = Math.log(1000);

describe('slot values', () => {
  it('reads a public IPv4 address where the slot only held private ones as a new kind of value, not the other way round', () => {
    // A failed logon from 185.220.101.4 on a host whose failed logons all came from 10.10.x.x: the
    // octets are within the margin of a magnitude (10 -> 185), and the address was no news.
    const inside = slotOf(repeat(80, (i) => `10.10.${i % 30}.${1 + ((i * 37) % 250)}`));
    expect(inside.surprise(0, '185.220.101.4')).to.be.above(2);
    expect(inside.surprise(0, '8.8.8.8:53')).to.be.above(2);
    for (const v of ['10.10.99.7', '192.168.1.20', '172.20.0.5', '100.71.18.239', '127.0.0.1']) expect(inside.surprise(0, v), v).to.equal(0);
    // Clients from everywhere: an internal one is no news, nor is another public one.
    const outside = slotOf(repeat(80, (i) => `${5 + ((i * 53) % 180)}.${(i * 29) % 250}.${i % 200}.${1 + (i % 250)}`));
    for (const v of ['10.90.120.96', '192.168.1.20', '100.126.48.112', '203.0.113.9']) expect(outside.surprise(0, v), v).to.equal(0);
    // Dotted numbers that are no address keep one shape with addresses of their kind.
    const versions = slotOf(repeat(80, (i) => `6.1.${7600 + (i % 3)}.${17000 + i}`));
    expect(versions.surprise(0, '6.1.7601.17514')).to.equal(0);
  });

  it('does not judge a long value or a hex id by the address scanned before it', () => {
    // The kind of the address a scan left behind was read for the next value, which returned before
    // it was cleared: a hex id or a 150-character value after a private address found the private
    // shape and was ordinary.
    const forwarded = slotOf(repeat(80, (i) => `${40 + ((i * 53) % 150)}.${(i * 29) % 250}.${i % 200}.${1 + i}`));
    const other = slotOf(repeat(80, (i) => `10.0.${i % 30}.${1 + i}`));
    for (const v of ['A'.repeat(150), 'deadbeef00c0ffee']) {
      expect(other.surprise(0, '10.0.9.108'), v).to.equal(0);
      expect(forwarded.surprise(0, v), v).to.be.above(2);
    }
  });

  it('judges a private address where public ones were as ordinary as they were, also beside a few private ones', () => {
    // A public web server whose only private clients in training were two load balancers' health
    // checks: a new internal client was judged by those two addresses' octets alone.
    const values = repeat(600, (i) => (i % 5 === 0 ? (i % 10 === 0 ? '10.0.0.11' : '10.0.0.12') : `${[23, 45, 81, 141, 185, 203, 212][i % 7]}.${(i * 29) % 250}.${i % 200}.${1 + (i % 250)}`));
    const web = slotOf(values);
    for (const v of ['192.168.3.44', '100.64.1.1', '10.20.30.40', '203.0.113.9']) expect(web.surprise(0, v), v).to.equal(0);
  });

  it('keeps judging a slot whose address kinds outgrow its shapes, as one kind', () => {
    // Private, public, `-`, `::1` and `::ffff:10.x` in Windows' "Source Network Address": five
    // shapes where there were four before addresses had kinds, and the slot stopped judging values.
    const kinds = (i: number): string => [`10.10.${i % 30}.${1 + i}`, `${40 + ((i * 53) % 150)}.${i % 250}.7.${1 + i}`, '-', '::1', `::ffff:10.10.4.${1 + i}`][i % 5]!;
    const source = slotOf(repeat(500, kinds));
    for (const v of ['WIN-8QK2H1', 'x'.repeat(130)]) expect(source.surprise(0, v), v).to.be.above(2);
    for (const v of ['10.10.3.4', '185.220.101.4', '::1', '-']) expect(source.surprise(0, v), v).to.equal(0);
    // Whichever kind comes first once the shapes are full.
    const late = slotOf(repeat(500, (i) => (i < 250 ? kinds(i % 5 === 1 ? 0 : i) : kinds(i))));
    for (const v of ['10.10.3.4', '185.220.101.4', '-']) expect(late.surprise(0, v), v).to.equal(0);
    expect(late.surprise(0, 'WIN-8QK2H1')).to.be.above(2);
  });

  it('reads the next month, weekday or zone in a timestamp as the same clock, not a new kind of value', () => {
    // Trained in one month (syslog) and on one weekday (Apache's error log): before, every line of
    // the next month or day was an unusual value (a new shape), enough to flag routine errors.
    const syslog = slotOf(repeat(300, (i) => `Dec ${10 + (i % 3)} 06:${10 + (i % 50)}:${10 + (i % 49)}`));
    expect(syslog.surprise(0, 'Jan 10 06:55:46')).to.equal(0);
    expect(syslog.surprise(0, 'Feb 28 23:59:01')).to.equal(0);
    const apache = slotOf(repeat(300, (i) => `[Sun Dec 04 ${10 + (i % 13)}:47:${10 + (i % 49)} 2005]`));
    expect(apache.surprise(0, '[Mon Dec 05 20:34:25 2005]')).to.equal(0);
    expect(apache.surprise(0, '[Tue Jan 03 20:34:25 2006]')).to.equal(0);
    const zoned = slotOf(repeat(300, (i) => `2024-03-${10 + (i % 9)} 10:00:${10 + (i % 49)} UTC`));
    expect(zoned.surprise(0, '2024-03-10 10:00:11 CET')).to.equal(0);
    // syslog pads a day of one digit with a space: trained on the 1st to the 9th, every line of the
    // 10th was a new kind of value (6.2 nats), and the other way round at the turn of the month.
    const early = slotOf(repeat(300, (i) => `Nov  ${1 + (i % 9)} 0${i % 10}:${10 + (i % 50)}:${10 + (i % 49)} web1`));
    expect(early.surprise(0, 'Nov 10 00:00:00 web1')).to.equal(0);
    expect(syslog.surprise(0, 'Jan  1 06:55:46')).to.equal(0);
    // Other words still make another shape.
    expect(syslog.surprise(0, 'Deck 10 06:55:46')).to.be.above(4);
    expect(syslog.surprise(0, 'Ok 10 06:55:46')).to.be.above(4);
  });

  it('does not judge the next clock reading as a new value when training saw only a few', () => {
    // A message written in one burst: all its training lines carry the same second or two
    // (Windows' CBS log). Before, the next second was a value never seen in a slot that took
    // only two, worth 3.8 nats: with a failure word, enough to flag every later routine line.
    const burst = slotOf(repeat(40, (i) => `2016-09-29 02:03:4${6 + (i % 2)},`));
    expect(burst.surprise(0, '2016-09-29 02:03:48,')).to.equal(0);
    expect(burst.surprise(0, '2016-09-30 17:41:02,')).to.equal(0);
    const clock = slotOf(repeat(40, () => '06:55:46'));
    expect(clock.surprise(0, '06:55:47')).to.equal(0);
    // Unix time, as supercomputer logs write it before the message (with the next value merged in).
    const unix = slotOf(repeat(40, () => '1077814242 1'));
    expect(unix.surprise(0, '1077814742 1')).to.equal(0);
    // A slot of few words still flags a new one, and clock-like numbers without seconds are no clock.
    const states = slotOf(repeat(40, (i) => (i % 2 === 0 ? 'OPEN' : 'CLOSED')));
    expect(states.surprise(0, 'KILLED')).to.be.above(2);
    const ratio = slotOf(repeat(40, (i) => `12:3${i % 2}`));
    expect(ratio.surprise(0, '12:38')).to.be.above(2);
  });

  it('judges a changed identifier as a new value, not by how far its digits moved', () => {
    // A peer id that was always 188978561024 (too many lines for the category table to matter:
    // the values vary in a second, free-form position).
    const slot = slotOf(repeat(300, (i) => `188978561024 conn${i}`));
    const small = slot.surprise(0, '3 conn7');
    const near = slot.surprise(0, '188978561099 conn7');
    const far = slot.surprise(0, '1 conn7');
    expect(small).to.be.above(0);
    expect(small).to.equal(far);
    // Near values stay inside the range margin: no surprise from the number at all.
    expect(near).to.equal(0);
    expect(small).to.be.below(THRESHOLD_NATS);
  });

  it('finds a value of a shape seen too seldom to judge its numbers as rare as it was, fading to its numbers', () => {
    // A switch's state changes: its access ports 2,000 times, its uplink once. The uplink's
    // flapping (26 times in a review) was no news: a shape of fewer than 10 values was not judged.
    const ports = (k: number): string[] => [...repeat(2000, (i) => `GigabitEthernet${1 + (i % 3)}/0/${1 + (i % 48)}`), ...repeat(k, () => 'TenGigabitEthernet2/1/1')];
    const once = slotOf(ports(1));
    expect(once.surprise(0, 'TenGigabitEthernet2/1/1')).to.be.above(4);
    expect(once.surprise(0, 'GigabitEthernet2/0/17')).to.equal(0);
    // Rarer is more surprising; from 10 values on the shape's numbers are judged as any shape's.
    const rare = [1, 3, 6, 9].map((k) => slotOf(ports(k)).surprise(0, 'TenGigabitEthernet2/1/1'));
    for (let i = 1; i < rare.length; i++) expect(rare[i]).to.be.below(rare[i - 1]!);
    expect(slotOf(ports(10)).surprise(0, 'TenGigabitEthernet2/1/1')).to.equal(0);
    // No shape new to the slot is less surprising than the rarest one it held.
    expect(once.surprise(0, 'Port-channel1')).to.be.at.least(rare[0]!);
  });

  it('still measures a small constant quantity by its distance (always 64, now 64,000,000)', () => {
    const slot = slotOf(repeat(300, (i) => `64 conn${i}`));
    const jump = slot.surprise(0, '64000000 conn7');
    expect(jump).to.be.above(THRESHOLD_NATS);
    expect(jump).to.be.above(slot.surprise(0, '6400 conn7'));
  });

  it('flags a negative number in a field that held 300 values, none negative', () => {
    const slot = slotOf(repeat(300, (i) => `${(i * 37) % 500} conn${i}`));
    expect(slot.surprise(0, '-24 conn7')).to.be.above(THRESHOLD_NATS);
    // A field that was negative before is not surprised by the sign.
    const signed = slotOf(repeat(300, (i) => `${((i * 37) % 500) - 50} conn${i}`));
    expect(signed.surprise(0, '-24 conn7')).to.equal(0);
  });

  it('does not let a few outliers in training (a handful of anomalies) widen the range', () => {
    // 300 sizes around 10^4, and 8 (2.6%: more than the extreme 1% left out anyway) near 10^12
    // from incidents inside the training window.
    const body = repeat(300, (i) => `${10_000 + ((i * 7919) % 9000)} conn${i}`);
    const withOutliers = slotOf([...body, ...repeat(8, (i) => `${(9 + i) * 100_000_000_000} conn${i}`)]);
    const clean = slotOf(body);
    // The next such value is unusual, as it is without them.
    expect(withOutliers.surprise(0, '6700000000000 conn7')).to.be.above(THRESHOLD_NATS);
    expect(clean.surprise(0, '6700000000000 conn7')).to.be.above(THRESHOLD_NATS);
    // A body value stays normal, and a field whose values spread evenly over many decades has no outliers.
    expect(withOutliers.surprise(0, '15000 conn7')).to.equal(0);
    const spread = slotOf(repeat(300, (i) => `${Math.round(10 ** (1 + (i % 100) / 10))} conn${i}`));
    expect(spread.surprise(0, '9000000000 conn7')).to.equal(0);
  });

  it('judges durations in seconds that stay below 1 s on a scale of their own (nginx rt=0.021, then 8.5)', () => {
    // Request times around 20 ms, some 0.000 (a cached answer). Before, every value below 1 was
    // within a third of a decade of 0: 8.5 s, 400 times the median, was an ordinary value.
    const rt = slotOf(repeat(600, (i) => (i % 10 === 0 ? '0.000' : (0.01 + ((i * 7919) % 40) / 1000).toFixed(3))));
    const cases: Array<[string, 'ordinary' | 'unusual']> = [
      ['0.021', 'ordinary'],
      ['0.000', 'ordinary'],
      ['0.2', 'ordinary'], // 10 times the median: a slow request, not yet an incident
      ['0.004', 'ordinary'],
      ['8.5', 'unusual'],
      ['31.002', 'unusual'],
      ['0.0000001', 'unusual'],
    ];
    for (const [v, want] of cases) {
      const x = rt.surprise(0, v);
      if (want === 'ordinary') expect(x, v).to.equal(0);
      else expect(x, v).to.be.above(THRESHOLD_NATS);
    }
    expect(rt.surprise(0, '-1'), 'a negative time').to.be.above(THRESHOLD_NATS);
  });

  it('keeps the scale of 1 + v for fields of whole numbers and for those mostly whole', () => {
    // A counter that is usually 0 and sometimes a few: 5 is no jump of decades.
    const counter = slotOf(repeat(300, (i) => `${i % 7 === 0 ? i % 5 : 0} conn${i}`));
    expect(counter.surprise(0, '5 conn7')).to.equal(0);
    // Percentages, a few of them below 1: a field of whole numbers with some fractions.
    const pct = slotOf(repeat(300, (i) => (i % 10 === 0 ? '0.5' : String(10 + (i % 80)))));
    expect(pct.surprise(0, '0.01')).to.equal(0);
    expect(pct.surprise(0, '99')).to.equal(0);
    // Load averages of an idle host (0.00 to 0.99), then a busy one: still a fraction scale, and
    // 3.5 is within its margin of 0.9.
    const load = slotOf(repeat(300, (i) => ((i % 100) / 100).toFixed(2)));
    expect(load.surprise(0, '3.5')).to.equal(0);
    expect(load.surprise(0, '250.0')).to.be.above(THRESHOLD_NATS);
  });

  it('reads an id of digits alone, in a slot of hex ids, as one more hex id (Postfix queue ids)', () => {
    // 11 hex digits with at least one letter, as most of Postfix's short queue ids are.
    const hex = '0123456789ABCDEF';
    let seed = 3;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const id = (): string => {
      let v = '';
      for (let i = 0; i < 10; i++) v += hex[next() % 16];
      return v + hex[10 + (next() % 6)];
    };
    const queue = slotOf(repeat(300, id));
    expect(queue.surprise(0, '91194280953')).to.equal(0);
    expect(queue.surprise(0, '9119428095C')).to.equal(0);
    // A short number, or words, are still another shape.
    expect(queue.surprise(0, '42')).to.be.above(2);
    expect(queue.surprise(0, 'unknown')).to.be.above(2);
  });

  it('counts small negative numbers as negative (NTP offsets of -0.001 are routine where training had them)', () => {
    // Before, -0.001 rounded to bin -0, counted as a zero: the field "never held a negative number"
    // and every negative offset was flagged.
    const offsets = slotOf(repeat(600, (i) => `${(((i * 7919) % 4001) - 2000) / 1e6} sec`));
    for (const v of ['-0.001234 sec', '-0.000002 sec', '0.0015 sec']) expect(offsets.surprise(0, v), v).to.equal(0);
    // A field that never held one still flags it.
    const positive = slotOf(repeat(600, (i) => `${((i * 7919) % 4001) / 1e6} sec`));
    expect(positive.surprise(0, '-0.001 sec')).to.be.above(THRESHOLD_NATS);
  });

  // etcd writes how long an apply took as Go does, `131.2ms` or `1.02s`: read as written, 20.5 s
  // looked smaller than 131 ms, and a 20-second apply, where routine ones took 100-250 ms, was no
  // unusual value (within the margin, 1.5 decades past the range, a value is ordinary).
  it('reads durations and sizes in one unit whatever unit each is written in', () => {
    const took = slotOf(repeat(92, (i) => (i % 23 === 0 ? `0.2${i % 7}s` : `${100 + ((i * 37) % 150)}.${(i * 7919) % 1000}ms`)));
    expect(took.surprise(0, '20.512345s')).to.be.above(2);
    expect(took.surprise(0, '10m3.5s')).to.be.above(THRESHOLD_NATS);
    for (const v of ['180.5ms', '0.2s', '0.25s']) expect(took.surprise(0, v), v).to.equal(0);
    // Above the range on one scale (880 ms, not 880,497,118; 0.9 s, not 0.9): past the tail, no more.
    for (const v of ['880.497118ms', '0.9s', '1.05s']) expect(took.surprise(0, v), v).to.be.below(THRESHOLD_NATS);
    // In a unit the slot never wrote, above every value it held: a new kind of value, as when the
    // unit made the shape (Go writes a second as `1.0s`, 999 ms as `999ms`); within them, not.
    const ms = slotOf(repeat(92, (i) => `${100 + ((i * 37) % 150)}.${(i * 7919) % 1000}ms`));
    expect(ms.surprise(0, '3.412773410s')).to.be.above(2);
    expect(ms.surprise(0, '0.2s')).to.equal(0);
    expect(ms.surprise(0, '249.9ms')).to.equal(0);
    // Go writes 699 ms, then 1.086 s: a new unit just above the range is no news (half a decade).
    const upTo700 = slotOf(repeat(92, (i) => `${300 + ((i * 37) % 400)}.${(i * 7919) % 1000}ms`));
    expect(upTo700.surprise(0, '1.086s')).to.equal(0);
    // A transfer of 3 GB where they were 1-900 KB, and 512 KB written as 0.5 MB.
    const sizes = slotOf(repeat(100, (i) => `${1 + ((i * 53) % 900)} KB`));
    expect(sizes.surprise(0, '3 GB')).to.be.above(THRESHOLD_NATS);
    expect(sizes.surprise(0, '0.5 MB')).to.equal(0);
  });

  it('counts the zeros of a field of fractions among its values (a value seen never in 1,000 is rare)', () => {
    // 995 zeros, 5 fractions: on the fraction scale, yet 250 is as unusual as with the zeros counted.
    const mostlyZero = slotOf(repeat(1000, (i) => (i % 200 === 0 ? `0.${1 + (i % 9)} s` : '0.00 s')));
    expect(mostlyZero.surprise(0, '250 s')).to.be.above(THRESHOLD_NATS);
    expect(mostlyZero.surprise(0, '-1 s')).to.be.above(THRESHOLD_NATS);
    expect(mostlyZero.surprise(0, '0.00 s')).to.equal(0);
  });

  it('reads digits alone as a hex id only where hex ids were most of the slot, and not beside 0x pointers', () => {
    // A slot of user names with one hex id among them: a card number is no queue id.
    const names = slotOf([...repeat(300, (i) => `user${i}`), '4F2A1B3C5D']);
    expect(names.surprise(0, '4111111111111111')).to.be.above(2);
    // A slot of pointers: a decimal number is another kind of value.
    const pointers = slotOf(repeat(300, (i) => `0x7ffd${(0x10000000 + i * 7919).toString(16)}`));
    expect(pointers.surprise(0, '140737488355328')).to.be.above(2);
  });

  it('reads the next reading of a gauge that drifted in small steps as ordinary, not as a new category', () => {
    // Ceph's pgmap every 2 s: `42.8 TiB data` ... `43.0 TiB` in training, a few values each held for
    // hours. 43.1 was a category never seen among thousands of lines (6.9 nats), every line of it.
    const data = slotOf(repeat(6000, (i) => `${(42.8 + Math.floor(i / 2000) / 10).toFixed(1)} TiB`));
    for (const v of ['43.1 TiB', '43.2 TiB', '42.6 TiB']) expect(data.surprise(0, v), v).to.equal(0);
    // Far from where it drifted, or in another unit, a reading is still news.
    for (const v of ['12.0 TiB', '43.1 PiB', 'unknown']) expect(data.surprise(0, v), v).to.be.above(THRESHOLD_NATS);
    const usage = slotOf(repeat(3000, (i) => `${61 + Math.floor(i / 1000)}%`));
    expect(usage.surprise(0, '64%')).to.equal(0);
    expect(usage.surprise(0, '99%')).to.be.above(THRESHOLD_NATS);
  });

  it('keeps a new code a new category where the values jumped between codes, or never changed', () => {
    // Exit codes and statuses jump (0 -> 1 is a step of the whole value): 3 is a new code.
    const exits = slotOf(repeat(3000, (i) => String([0, 0, 0, 1, 0, 2][i % 6])));
    expect(exits.surprise(0, '3')).to.be.above(THRESHOLD_NATS);
    const statuses = slotOf(repeat(3000, (i) => (i % 7 === 0 ? '404' : '200')));
    expect(statuses.surprise(0, '500')).to.be.above(THRESHOLD_NATS);
    // A constant did not drift: its first new value is news.
    const constant = slotOf(repeat(3000, () => '64 MiB'));
    expect(constant.surprise(0, '65 MiB')).to.be.above(THRESHOLD_NATS);
    // Nor did values that went back and forth in small steps: a cluster's healthy members 5, 4, 5,
    // and statuses of one class (404 -> 500 is a step of a fifth). A third state is news.
    const members = slotOf(repeat(3000, (i) => `healthy_members=${i % 50 === 0 ? 4 : 5}`));
    for (const v of ['healthy_members=3', 'healthy_members=6']) expect(members.surprise(0, v), v).to.be.above(THRESHOLD_NATS);
    const failures = slotOf(repeat(3000, (i) => String([400, 404, 500][(i * 7) % 3])));
    for (const v of ['401', '403', '502', '504']) expect(failures.surprise(0, v), v).to.be.above(THRESHOLD_NATS);
  });

  // Two reviews' databases: InnoDB's page cleaner took 1.3-18.5 s and 400 s was no unusual value,
  // nor a 94 s query where they took 0.3-8 s (the margin was 1.5 decades for every number).
  it('finds a duration 10-30 times the largest of its slot unusual, and a count without a unit as before', () => {
    const ms = slotOf(repeat(3000, (i) => `${1294 + ((i * 7919) % 17245)}ms`));
    expect(ms.surprise(0, '73713ms')).to.equal(0);
    expect(ms.surprise(0, '400000ms')).to.be.above(2);
    const count = slotOf(repeat(3000, (i) => `${1294 + ((i * 7919) % 17245)}`));
    expect(count.surprise(0, '400000')).to.equal(0);
    expect(count.surprise(0, '4000000')).to.be.above(2);
  });

  // A review's FortiGate: `average CPU: 94` every 5 minutes of a spike, where 30 days of readings
  // were 0-18, falling tenfold per quarter decade at the top: 0.7 decades above, inside the margin
  // of 1.5, and none of the 4 lines flagged.
  it('judges a number alone in its value by its upper tail: a light one makes a CPU at 94 % news, not at 30', () => {
    const cpu = slotOf(repeat(8640, (i) => String(i % 35 === 0 ? 13 + (i % 6) : (i * 7) % 13)));
    expect(cpu.surprise(0, '18')).to.equal(0);
    expect(cpu.surprise(0, '30')).to.equal(0);
    expect(cpu.surprise(0, '94')).to.be.above(THRESHOLD_NATS);
    // Spread evenly up to a lone highest value (17 on 2 lines): no fall, no tail.
    const flat = slotOf(repeat(8640, (i) => String(i === 5 || i === 9 ? 17 : (i * 7) % 13)));
    expect(flat.surprise(0, '94')).to.equal(0);
    // A fall, and too few values in the highest bin (60 on 2 lines) to tell its rate: the tail is the
    // one carried on from the highest bin that has enough (10-17), and a number is judged from past
    // the highest value only. Until 2026-11-25 there was no tail at all then: a review's InnoDB page
    // cleaner at 68-100 s where it took 1.2-16 s (a few over 10 s) was no news.
    const falling = slotOf(repeat(8640, (i) => String(i === 5 || i === 9 ? 60 : i % 100 < 70 ? 1 + (i % 3) : i % 100 < 95 ? 4 + (i % 6) : 10 + (i % 8))));
    expect(falling.surprise(0, '94')).to.equal(0);
    expect(falling.surprise(0, '400')).to.be.above(THRESHOLD_NATS);
  });

  // An access log's size and time in one value (`200 1914 2027`): the time's tail was judged only
  // where the number stood alone in its value, and 94 where readings were 0-18 was no news.
  it('judges a number that is a word of its own among others by its tail, and no clock or address part', () => {
    const sizeAndTime = slotOf(repeat(8640, (i) => `${1000 + ((i * 37) % 2000)} ${i % 35 === 0 ? 13 + (i % 6) : (i * 7) % 13}`));
    expect(sizeAndTime.surprise(0, '1914 94')).to.be.above(THRESHOLD_NATS);
    expect(sizeAndTime.surprise(0, '1914 18')).to.equal(0);
    // The same readings as a clock's seconds or an address's last octet are no quantities.
    const clock = slotOf(repeat(8640, (i) => `12:${10 + (i % 40)}:${i % 35 === 0 ? 13 + (i % 6) : (i * 7) % 13}`));
    expect(clock.surprise(0, '12:30:54')).to.equal(0);
    const endpoint = slotOf(repeat(8640, (i) => `10.0.0.${i % 35 === 0 ? 13 + (i % 6) : (i * 7) % 13} 443`));
    expect(endpoint.surprise(0, '10.0.0.94 443')).to.equal(0);
  });

  it('keeps numbers spread evenly up to their highest (ids, ports, counters) judged by the margin alone', () => {
    const pids = slotOf(repeat(3000, (i) => String(300 + ((i * 7919) % 32468))));
    for (const v of ['40000', '90000', '400000']) expect(pids.surprise(0, v), v).to.equal(0);
    expect(pids.surprise(0, '4000000')).to.be.above(2);
  });

  // A review's kube-apiserver traced requests at `total time: 4-11 s` where they took 0.5-1.5 s,
  // within a duration's one-decade margin: none of 70 lines flagged while durations kept it alone.
  it('judges durations and sizes by their tail too, and no address or clock', () => {
    // The same light tail written in milliseconds.
    const ms = slotOf(repeat(8640, (i) => `${i % 35 === 0 ? 13 + (i % 6) : (i * 7) % 13}ms`));
    expect(ms.surprise(0, '94ms')).to.be.above(THRESHOLD_NATS);
    expect(ms.surprise(0, '18ms')).to.equal(0);
    // Addresses whose last octet is mostly small: `10.0.0.94` is no spike.
    const hosts = slotOf(repeat(8640, (i) => `10.0.0.${i % 35 === 0 ? 13 + (i % 6) : (i * 7) % 13}`));
    expect(hosts.surprise(0, '10.0.0.94')).to.equal(0);
  });

  // A review's Redis: 39 of 3,000 `Fork CoW ... current 0 MB` in training, and the next one scored
  // 1.00 (0 is no order of magnitude: in bytes it sat 6 decades below 1 MB).
  it('finds a zero the slot held as rare as it was, and one it never held unusual, not decades away', () => {
    const mb = slotOf(repeat(3000, (i) => (i % 77 === 0 ? '0 MB' : `${1 + ((i * 37) % 900)} MB`)));
    const zero = mb.surprise(0, '0 MB');
    expect(zero).to.be.above(2);
    expect(zero).to.be.below(THRESHOLD_NATS);
    expect(mb.surprise(0, '4000 MB')).to.be.below(THRESHOLD_NATS / 2);
    expect(mb.surprise(0, '400000 MB')).to.be.above(THRESHOLD_NATS);
    // Never zero in 3,000: as rare as a value never seen.
    const busy = slotOf(repeat(3000, (i) => `${100 + ((i * 37) % 900)} ms`));
    expect(busy.surprise(0, '0 ms')).to.be.above(THRESHOLD_NATS);
  });
});

// A review's Redis ran as process 1834 for its whole history and came back as 3054188 after a
// restart: every line of the master process (`3054188:M 07 Nov ...`) scored 0.96, for as long as
// it ran (the value held the time too: never the same twice, never familiar). A syslog daemon
// whose process id never changed in training (`myd[812]:`) scored 0.63 on each line after its
// restart. PostgreSQL's prefix names the role (`app@shop`): a role new to a message was a new
// value of it.
describe("a header's values", function () {
  this.timeout(20000);
  const pad = (x: number): string => String(x).padStart(2, '0');
  const time = (i: number): string => `Nov 2${i % 7} ${pad(i % 24)}:${pad(i % 60)}:${pad((i * 7) % 60)}`;

  it("reads a daemon's new process id after a restart as no unusual value, and the message's values as before", () => {
    const t = new ModelTrainer();
    for (let i = 0; i < 5000; i++) t.add(`${time(i)} web01 myd[812]: request ${i % 3 ? 'handled' : 'queued'} in ${1 + ((i * 13) % 90)} ms`);
    const m = t.finish();
    const f = new Familiarity();
    for (const pid of [812, 9001, 3054188]) expect(m.score(`Nov 28 10:00:01 web01 myd[${pid}]: request handled in 7 ms`, f).score, `pid ${pid}`).to.equal(0);
    // Past the header's tag, values are the message's: 90,000 ms where requests took 1-90 is unusual.
    expect(m.explain('Nov 28 10:00:02 web01 myd[9001]: request handled in 90000 ms', f).reasons).to.include('unusual_value');
  });

  it("reads a header value of a process id and a time (Redis' `1834:M 01 Nov 2024 ...`) by its shape only", () => {
    const t = new ModelTrainer();
    for (let i = 0; i < 3000; i++) {
      t.add(`1834:M ${pad(1 + (i % 28))} Nov 2024 ${pad(i % 24)}:${pad(i % 60)}:00.000 * ${100 + ((i * 37) % 9000)} changes in 300 seconds. Saving...`);
      t.add(`${2000 + i}:C ${pad(1 + (i % 28))} Nov 2024 ${pad(i % 24)}:${pad(i % 60)}:01.000 * DB saved on disk`);
    }
    const m = t.finish();
    const f = new Familiarity();
    for (let i = 0; i < 5; i++) expect(m.score(`3054188:M 07 Dec 2024 13:0${i}:00.000 * 7930 changes in 300 seconds. Saving...`, f).score).to.equal(0);
  });

  it("reads a role new to a message in PostgreSQL's prefix (`%u@%d`) as no unusual value", () => {
    const t = new ModelTrainer();
    const roles = ['app@shop', 'report@analytics', 'grafana@analytics', 'worker@shop'];
    for (let i = 0; i < 4000; i++) {
      const ts = `2024-11-${pad(1 + (i % 28))} ${pad(i % 24)}:${pad(i % 60)}:00.000 UTC [${20000 + i}]`;
      t.add(`${ts} ${roles[i % 4]} LOG:  duration: ${1 + ((i * 37) % 900)}.5 ms  statement: SELECT 1`);
      if (i % 100 === 0) t.add(`${ts} app@shop LOG:  unexpected EOF on client connection with an open transaction`);
    }
    const m = t.finish();
    for (const role of ['app@shop', 'grafana@analytics']) {
      const e = m.explain(`2024-12-04 08:53:17.143 UTC [31234] ${role} LOG:  unexpected EOF on client connection with an open transaction`);
      expect(e.template).to.not.include(role);
      expect(e.evidence.values, role).to.equal(0);
    }
  });
});


// A review's Spring Boot services: logback writes the process id after the level (`INFO 58 ---
// [main]`), past any header a mixed log has; a process id that changed at the weekly restarts of
// training was a new value of a few on every line after the next restart (46 and 44 routine lines
// flagged).
describe('a slot of epochs', function () {
  this.timeout(20000);
  /** Values in runs: each of `values` for `run` lines. */
  const runs = (values: readonly string[], run: number): string[] => values.flatMap((v) => repeat(run, () => v));

  it('reads a new value where values came in long runs, each new, as no unusual value, its number still judged', () => {
    // Restarts: process 12, 41, 25, 40, 41 again (a reused id), 19.
    const pids = slotOf(runs(['12', '41', '25', '40', '41', '19'], 400));
    for (const v of ['58', '37']) expect(pids.surprise(0, v), v).to.equal(0);
    expect(pids.surprise(0, '-5')).to.be.above(THRESHOLD_NATS);
    expect(pids.surprise(0, 'main')).to.be.above(2);
  });

  it('keeps a new value news where values kept coming back, or ran short', () => {
    // Day and night modes, 30 times each.
    const modes = slotOf(runs(repeat(60, (i) => (i % 2 ? 'night' : 'day')), 100));
    expect(modes.surprise(0, 'maintenance')).to.be.above(2);
    // Sixteen values, each new, in runs of 10 lines: no epochs.
    const short = slotOf(runs(repeat(16, (i) => `job${i}`), 10));
    expect(short.surprise(0, 'job99')).to.be.above(2);
    // A value that came back after each excursion (a constant with five others once each).
    const excursions = slotOf(repeat(1000, (i) => (i % 200 === 100 ? `x${i}` : 'ok')));
    expect(excursions.surprise(0, 'x999')).to.be.above(2);
  });

  it('flags no line of a service restarted with a new process id, where training had weekly restarts', () => {
    const t = new ModelTrainer();
    const pad = (x: number): string => String(x).padStart(2, '0');
    const at = (i: number): string => `2024-03-${pad(1 + Math.floor(i / 400))} ${pad(i % 24)}:${pad(i % 60)}:02.469`;
    const line = (i: number, pid: number): string =>
      i % 3 === 0
        ? `10.2.14.${i % 200} - - [04/Mar/2024:00:04:48 +0000] "GET /api/products?q=x${i % 50} HTTP/1.1" 200 ${4000 + (i % 900)} ${20 + (i % 60)}`
        : `${at(i)}  INFO ${pid} --- [   scheduling-1] c.e.orders.jobs.AbandonedCartJob         : Purged ${i % 90} abandoned carts older than 72h in ${100 + (i % 400)} ms`;
    const trained = [12, 41, 25, 40, 19];
    for (let i = 0; i < 10_000; i++) t.add(line(i, trained[Math.floor(i / 2000)]!));
    const m = t.finish();
    const f = new Familiarity();
    for (let i = 0; i < 30; i++) {
      const e = m.explain(line(20_000 + 3 * i + 1, 58), f);
      expect(e.evidence.values, e.template).to.equal(0);
    }
  });
});
