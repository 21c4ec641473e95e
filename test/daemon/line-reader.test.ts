// The batch reader against the test server: batches end by size as well as by count.
import { expect } from 'chai';
import { ObjectId, type Document } from 'mongodb';
import { groupByStart, MAX_BATCH_CHARS, readHostsAfter, readLinesAfter, unpackLines } from '../../src/mongo/line-reader.js';
import { useTestBed } from '../support/test-bed.js';

describe('reading a host batch by batch', function () {
  this.timeout(120_000);
  const MB = 1024 * 1024;
  const bed = useTestBed('reader', async (b) => {
    // 40 megabyte messages, then 5 ordinary lines.
    const docs: Document[] = [];
    for (let i = 0; i < 40; i++) docs.push({ Hostname: 'big', Message: `dump ${i} ${'x'.repeat(MB)}`, timestamp: new Date() });
    for (let i = 0; i < 5; i++) docs.push({ Hostname: 'big', Message: `sshd[${i}]: session opened for user root`, timestamp: new Date() });
    for (let i = 0; i < docs.length; i += 5) await b.input.collection('syslog').insertMany(docs.slice(i, i + 5));
  });

  it('ends a batch once its messages hold MAX_BATCH_CHARS, and goes on from there', async () => {
    const ref = { uri: bed.uri, inputDb: bed.inputName, collection: 'syslog', host: 'big', fields: { message: 'Message', hostname: 'Hostname', timestamp: 'timestamp' } };
    const sizes: number[] = [];
    let after: unknown = null;
    let read = 0;
    for (let round = 0; round < 10; round++) {
      const { docs, more } = await readLinesAfter(bed.client, ref, after, 2000, 0);
      const chars = docs.reduce((n, d) => n + String(d.Message).length, 0);
      // Over the budget by at most the last message.
      expect(chars).to.be.below(MAX_BATCH_CHARS + MB + 100);
      sizes.push(docs.length);
      read += docs.length;
      if (docs.length > 0) after = docs[docs.length - 1]!._id;
      if (!more) break;
    }
    expect(read).to.equal(45);
    expect(sizes.length).to.be.at.least(3);
    expect(sizes[0]).to.equal(Math.ceil(MAX_BATCH_CHARS / (MB + 8)));
  });
});

for (const grouped of [false, true])
describe(`reading the batches of several hosts in one query (${grouped ? 'hosts grouped, as on FerretDB' : 'a condition per host, as on MongoDB'})`, function () {
  this.timeout(120_000);
  const fields = { message: 'Message', hostname: 'Hostname', timestamp: 'timestamp' };
  const ids: Record<string, ObjectId[]> = { a: [], b: [], c: [] };
  let both: ObjectId;
  const bed = useTestBed('shared', async (b) => {
    // Interleaved, in _id order: a a b b b c c b [a,b] b b a.
    const order = ['a', 'a', 'b', 'b', 'b', 'c', 'c', 'b', 'ab', 'b', 'b', 'a'];
    const docs: Document[] = [];
    for (const [i, h] of order.entries()) {
      const _id = new ObjectId();
      if (h === 'ab') both = _id;
      else ids[h]!.push(_id);
      docs.push({ _id, Hostname: h === 'ab' ? ['a', 'b'] : h, Message: `line ${i} of ${h}`, timestamp: new Date() });
    }
    await b.input.collection('syslog').insertMany(docs);
    await b.input.collection('nested').insertMany([
      { _id: new ObjectId(), meta: { host: 'x' }, Message: 'plain' },
      { _id: new ObjectId(), meta: [{ host: 'x' }], Message: 'through an array' },
    ]);
  });
  const src = () => ({ uri: bed.uri, inputDb: bed.inputName, collection: 'syslog', fields });
  const hexes = (bson: Uint8Array) => unpackLines(bson).map((d) => (d._id as ObjectId).toHexString());

  it("gives each host a prefix of its lines after its own checkpoint, at most `limit`, a line of several hosts to each, and says which may have more", async () => {
    const parts = await readHostsAfter(
      bed.client,
      src(),
      [
        { host: 'a', after: ids.a![1]! },
        { host: 'b', after: ids.b![0]! },
        { host: 'c', after: ids.c![1]! },
      ],
      4,
      0,
      grouped,
    );
    expect(parts).to.not.equal(null);
    // a: the line shared with b, then its own last one.
    expect(hexes(parts!.get('a')!.bson)).to.deep.equal([both, ids.a![2]!].map((i) => i.toHexString()));
    expect(parts!.get('a')!.more).to.equal(false);
    // b: five lines wait after its checkpoint; the first four come, and more is said.
    expect(hexes(parts!.get('b')!.bson)).to.deep.equal([ids.b![1]!, ids.b![2]!, ids.b![3]!, both].map((i) => i.toHexString()));
    expect(parts!.get('b')!.count).to.equal(4);
    expect(parts!.get('b')!.more).to.equal(true);
    // c: caught up.
    expect(parts!.get('c')!.count).to.equal(0);
    expect(parts!.get('c')!.more).to.equal(false);
    // The documents as the server holds them.
    const first = unpackLines(parts!.get('a')!.bson)[1]!;
    expect(first.Message).to.equal('line 11 of a');
    expect(first.timestamp).to.be.instanceOf(Date);
  });

  it('says more to every host when the whole read was cut, so none of them loses a line', async () => {
    // Limit 1 per host, 2 hosts: the read ends after 2 lines, both a's here.
    const parts = await readHostsAfter(bed.client, src(), [{ host: 'a', after: new ObjectId('000000000000000000000000') }, { host: 'c', after: new ObjectId('000000000000000000000000') }], 1, 0, grouped);
    expect(hexes(parts!.get('a')!.bson)).to.deep.equal([ids.a![0]!.toHexString()]);
    expect(parts!.get('c')!.count).to.equal(0);
    expect(parts!.get('c')!.more, "c's lines come after the cut").to.equal(true);
  });

  it("also gives a host its lines behind the checkpoint from where it asks, apart and outside its batch's limit, but only whole", async () => {
    const want = { host: 'b', after: ids.b![3]!, behindFrom: ids.b![1]! };
    // c asks from after its checkpoint: nothing behind.
    const parts = await readHostsAfter(bed.client, src(), [want, { host: 'c', after: ids.c![0]!, behindFrom: ids.c![1]! }], 3, 0, grouped);
    const b = parts!.get('b')!;
    expect(hexes(b.behind!.bson)).to.deep.equal([ids.b![1]!, ids.b![2]!, ids.b![3]!].map((i) => i.toHexString()));
    expect(b.behind!.from).to.equal(ids.b![1]!.toHexString());
    expect(hexes(b.bson)).to.deep.equal([both, ids.b![4]!, ids.b![5]!].map((i) => i.toHexString()));
    expect(b.more).to.equal(false);
    expect(hexes(parts!.get('c')!.bson)).to.deep.equal([ids.c![1]!.toHexString()]);
    expect(parts!.get('c')!.behind).to.equal(undefined);
    // More lines behind than a batch holds: none are given (the check counts on the server).
    expect((await readHostsAfter(bed.client, src(), [want], 2, 0, grouped))!.get('b')!.behind).to.equal(undefined);
  });

  it('gives a host with a backlog (its read cut by the limit) its lines behind once the read went past its checkpoint, as many as it leaves room for', async () => {
    // b: three lines from b0 up to its checkpoint b2, a backlog after; a batch of one line.
    const want = { host: 'b', after: ids.b![2]!, behindFrom: ids.b![0]!, behindLimit: 3 };
    const b = (await readHostsAfter(bed.client, src(), [want], 1, 0, grouped))!.get('b')!;
    expect(hexes(b.bson)).to.deep.equal([ids.b![3]!.toHexString()]);
    expect(b.more).to.equal(true);
    expect(hexes(b.behind!.bson)).to.deep.equal([ids.b![0]!, ids.b![1]!, ids.b![2]!].map((i) => i.toHexString()));
    // Room for fewer than are there: none are given (the check counts on the server).
    expect((await readHostsAfter(bed.client, src(), [{ ...want, behindLimit: 2 }], 1, 0, grouped))!.get('b')!.behind).to.equal(undefined);
  });

  it('reads hosts whose checkpoints are far apart (an idle host) each from its own, passing over what the others have read', async () => {
    const at = (sec: number, n: number) => new ObjectId(sec.toString(16).padStart(8, '0') + '5e' + '00000000' + n.toString(16).padStart(6, '0'));
    const now = Math.floor(Date.now() / 1000) - 5;
    // Idle host i: two lines 100 s ago, one now; a and b: lines now, interleaved.
    const lines: Array<[string, ObjectId]> = [
      ['i', at(now - 100, 0)], ['i', at(now - 100, 1)], ['a', at(now - 100, 2)],
      ['a', at(now, 3)], ['b', at(now, 4)], ['a', at(now, 5)], ['b', at(now, 6)], ['i', at(now, 7)], ['a', at(now, 8)],
    ];
    await bed.input.collection('spread').insertMany(lines.map(([h, _id], k) => ({ _id, Hostname: h, Message: `line ${k} of ${h}`, timestamp: new Date() })));
    const spread = { ...src(), collection: 'spread' };
    const wants = [
      { host: 'i', after: at(now - 100, 0) },
      { host: 'a', after: at(now, 5) },
      { host: 'b', after: at(now, 4), behindFrom: at(now - 100, 0) },
    ];
    const parts = (await readHostsAfter(bed.client, spread, wants, 10, 0, grouped))!;
    const got = (h: string) => hexes(parts.get(h)!.bson);
    expect(got('i')).to.deep.equal([at(now - 100, 1), at(now, 7)].map((i) => i.toHexString()));
    expect(got('a'), "a's lines up to its checkpoint are passed over").to.deep.equal([at(now, 8).toHexString()]);
    expect(got('b')).to.deep.equal([at(now, 6).toHexString()]);
    expect(hexes(parts.get('b')!.behind!.bson), "b's lines from where it asked").to.deep.equal([at(now, 4).toHexString()]);
    for (const h of ['i', 'a', 'b']) expect(parts.get(h)!.more).to.equal(false);
  });

  it('gives up (null: each host reads alone) when a line matched through an array of embedded documents', async function () {
    const nested = { ...src(), collection: 'nested', fields: { ...fields, hostname: 'meta.host' } };
    const all = await bed.input.collection('nested').countDocuments({ 'meta.host': 'x' });
    // A server that does not search arrays on a dotted path has nothing to give up on.
    if (all < 2) this.skip();
    expect(await readHostsAfter(bed.client, nested, [{ host: 'x', after: new ObjectId('000000000000000000000000') }], 10, 0, grouped)).to.equal(null);
  });
});

describe('grouping the hosts of a shared read by where they start', () => {
  const at = (sec: number, n = 0) => new ObjectId(sec.toString(16).padStart(8, '0') + '0000000000' + n.toString(16).padStart(6, '0'));
  const T = 1_800_000_000;
  type Start = [string, ObjectId, boolean?];
  type Group = [string[], ObjectId, boolean?];
  const cases: Array<[string, number | null, Start[], Group[]]> = [
    ['hosts read in the same round: one group from the earliest', 2, [['b', at(T, 2)], ['a', at(T, 1)], ['c', at(T + 1)]], [[['a', 'b', 'c'], at(T, 1)]]],
    ['starts up to 2 s after the group began join it', 2, [['a', at(T)], ['b', at(T + 2)]], [[['a', 'b'], at(T)]]],
    ['a start 3 s later begins a group of its own', 2, [['a', at(T)], ['b', at(T + 3)]], [[['a'], at(T)], [['b'], at(T + 3)]]],
    ['an idle host (its last line a day ago) reads alone', 2, [['a', at(T)], ['idle', at(T - 86_400)], ['b', at(T, 5)]], [[['idle'], at(T - 86_400)], [['a', 'b'], at(T)]]],
    ['a group is measured from its first start, not chained on', 2, [['a', at(T)], ['b', at(T + 2)], ['c', at(T + 4)]], [[['a', 'b'], at(T)], [['c'], at(T + 4)]]],
    ['a group reads from its first id when the host starting there looks behind', 2, [['a', at(T, 3)], ['b', at(T, 1), true], ['c', at(T, 5), true]], [[['b', 'a', 'c'], at(T, 1), true]]],
    ['two starts at the first id: from it if either asks', 2, [['a', at(T, 1)], ['b', at(T, 1), true]], [[['a', 'b'], at(T, 1), true]]],
    ['not grouped (MongoDB): each host alone, as it starts', null, [['b', at(T, 2)], ['a', at(T, 1), true]], [[['a'], at(T, 1), true], [['b'], at(T, 2)]]],
    ['one host', 2, [['a', at(T)]], [[['a'], at(T)]]],
  ];
  for (const [name, window, starts, groups] of cases) {
    it(name, () => {
      const got = groupByStart(starts.map(([host, low, inclusive]) => ({ host, low, inclusive: inclusive ?? false })), window);
      expect(got.map((g) => [g.hosts, g.low.toHexString(), g.inclusive])).to.deep.equal(groups.map(([hosts, low, inclusive]) => [hosts, low.toHexString(), inclusive ?? false]));
    });
  }
});
