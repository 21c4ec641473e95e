import { expect } from 'chai';
import { compileMasks, tokenize, NO_MASKS, type Tokenized } from '../../src/model/mask.js';
import { TokenDecoder, TokenEncoder, type TokenBatch } from '../../src/offline/token-batch.js';
import { incidentLine, routineLine, Rng } from '../support/log-lines.js';

// Lines of every kind the tokenizer treats apart: empty and blank, values of all kinds, quotes,
// JSON, non-ASCII, a line at the token cap, and one extra rule's placeholder.
const LINES = [
  '',
  '   \t ',
  'Accepted password for root from 10.0.0.1 port 22 ssh2',
  'user=alice status=200 took=12ms path=/var/log/x.log',
  '{"level":"error","msg":"disk full","free":0}',
  '<134>Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0',
  'Erreur\u00a0: le fichier «\u00a0données.csv\u00a0» est introuvable 😀',
  '"GET /v2/servers HTTP/1.1" 404 1520 "quoted, with comma"',
  Array.from({ length: 400 }, (_, i) => `w${i % 7}x word${i}`).join(' '),
  'session 0xdeadbeef opened by job_1445_0020 at 2016-09-28 04:30:44',
];

function roundTrip(batches: Tokenized[][], tableMax?: number): Tokenized[][] {
  const enc = new TokenEncoder(tableMax);
  const dec = new TokenDecoder();
  // Through a structured clone, as between threads.
  return batches.map((b) => dec.decode(structuredClone(enc.encode(b)) as TokenBatch));
}

describe('token batches between threads', function () {
  it('decode what the tokenizer gave, line for line, across batches that share the table', function () {
    const r = new Rng(7);
    const more = Array.from({ length: 300 }, (_, i) => (i % 10 === 0 ? incidentLine(r, `m${i}`) : routineLine(r)));
    const lines = [...LINES, ...more];
    const toks = lines.map((l) => tokenize(l, NO_MASKS));
    const batches = [toks.slice(0, 4), toks.slice(4, 5), [], toks.slice(5, 200), toks.slice(200)];
    expect(roundTrip(batches).flat()).to.deep.equal(toks);
  });

  it('keep lines masked by extra rules as they were', function () {
    const masks = compileMasks([{ pattern: 'ticket-[A-Z]+', name: 'ticket' }]);
    const toks = ['opened ticket-ABC for bob', 'closed ticket-XYZ'].map((l) => tokenize(l, masks));
    expect(toks[0]!.tokens).to.include('<ticket>');
    expect(roundTrip([toks]).flat()).to.deep.equal(toks);
  });

  it('start the table over past its cap, and still decode every line', function () {
    const lines = Array.from({ length: 50 }, (_, i) => `alpha${String.fromCharCode(97 + (i % 26))} beta${String.fromCharCode(65 + (i % 26))} gamma ${i}`);
    const toks = lines.map((l) => tokenize(l, NO_MASKS));
    const batches = Array.from({ length: 10 }, (_, k) => toks.slice(5 * k, 5 * k + 5));
    const enc = new TokenEncoder(8);
    const sent = batches.map((b) => enc.encode(b));
    expect(sent.some((b) => b.reset)).to.equal(true);
    const dec = new TokenDecoder();
    expect(sent.flatMap((b) => dec.decode(b))).to.deep.equal(toks);
  });

  it('refuse a batch that names a token the table does not hold', function () {
    const batch = new TokenEncoder().encode([tokenize('a b c', NO_MASKS)]);
    // A decoder that missed the batch which sent the table's tokens.
    const lost: TokenBatch = { ...batch, fresh: [] };
    expect(() => new TokenDecoder().decode(lost)).to.throw(/token number 0 is not in the table/);
  });
});
