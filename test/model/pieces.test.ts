import { expect } from 'chai';
import { PieceVocabulary, piecesOfTokens } from '../../src/model/pieces.js';
import { Calibration, NOVELTY_PRIOR, type TemplateSample } from '../../src/model/calibration.js';

describe('identifier pieces', () => {
  const table: Array<[string[], string[]]> = [
    // camelCase and PascalCase identifiers split at case changes
    [['ContainerManager'], ['container', 'manager']],
    [['releaseDisplayLocked:'], ['release', 'display', 'locked']],
    // an acronym before a word ends where the word begins
    [['getHTTPClient'], ['get', 'http', 'client']],
    [['IOException'], ['exception']],
    // dots, underscores, slashes and brackets separate pieces too
    [['org.apache.hadoop.mapreduce.TaskAttemptImpl'], ['org', 'apache', 'hadoop', 'mapreduce', 'task', 'attempt', 'impl']],
    [['jk2_init()'], ['init']],
    // placeholders are the masker's; letters glued to digits are identifier fragments; short pieces say nothing
    [['<*>', '<ip>', 'blk_<*>', 'ab12cd', 'to', 'of', 'ID'], ['blk']],
    // lower-cased and distinct, in order of appearance
    [['Block', 'block', 'BLOCK', 'blockMap'], ['block', 'map']],
    [[], []],
  ];
  for (const [tokens, pieces] of table) {
    it(`splits ${JSON.stringify(tokens)}`, () => {
      expect(piecesOfTokens(tokens)).to.deep.equal(pieces);
    });
  }

  it('keeps at most 64 pieces of a very long line', () => {
    // 500 tokens (wordAaz, wordBaz, ...): the piece "word" and one new piece each.
    const tokens = Array.from({ length: 500 }, (_, i) => `word${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}z`);
    expect(piecesOfTokens(tokens)).to.have.length(64);
  });
});

describe('piece vocabulary of a host', () => {
  const vocab = new PieceVocabulary([
    piecesOfTokens(['ContainerManager', 'started']),
    piecesOfTokens(['ContainerLauncher', 'stopped']),
    piecesOfTokens(['QuorumPeer', 'elected']),
  ]);

  it('counts the templates holding each piece', () => {
    expect(vocab.templatesWith('container')).to.equal(2);
    expect(vocab.templatesWith('quorum')).to.equal(1);
    expect(vocab.templatesWith('scoreboard')).to.equal(0);
  });

  it('gives the share of a line\'s pieces the host never wrote', () => {
    // A new message of the host, made of its pieces: nothing foreign.
    expect(vocab.unseenShare(piecesOfTokens(['LauncherManager', 'started']))).to.equal(0);
    // Half foreign.
    expect(vocab.unseenShare(piecesOfTokens(['ContainerScoreboard']))).to.equal(0.5);
    expect(vocab.unseenShare(piecesOfTokens(['jk2_init()', 'Found', 'child', 'in', 'scoreboard']))).to.equal(1);
    // Nothing to judge: not foreign.
    expect(vocab.unseenShare([])).to.equal(0);
  });

  it('counts words the host wrote only in variable slots as its pieces', () => {
    // "alice" was a user name in `User <*> logged in`: a line naming her is not foreign.
    const withUsers = new PieceVocabulary([piecesOfTokens(['User', '<*>', 'logged', 'in'])], ['alice', 'bob']);
    expect(withUsers.unseenShare(piecesOfTokens(['User', 'alice', 'logged', 'in', 'again']))).to.equal(0.25);
    expect(withUsers.templatesWith('alice')).to.equal(1);
  });

  it('holds a template out of its own vocabulary (leave-one-out)', () => {
    // "quorum", "peer" and "elected" are only in the held-out template; "container" is in two.
    expect(vocab.unseenShare(piecesOfTokens(['QuorumPeer', 'elected']), 1)).to.equal(1);
    expect(vocab.unseenShare(piecesOfTokens(['ContainerManager', 'started']), 1)).to.equal(2 / 3);
  });
});

describe('calibration of new messages by how much each once-seen message is the host\'s own', () => {
  const routine: TemplateSample[] = Array.from({ length: 200 }, () => ({ count: 50, effective: 50, suspect: false, novelty: 0, own: 1 }));
  const once = (novelty: number, own: number): TemplateSample => ({ count: 1, effective: 1, suspect: false, novelty, own });
  const own = [2, 3, 4, 5, 6].map((n) => once(n, 1));

  it('leaves out once-seen lines made only of pieces the host wrote nowhere else', () => {
    const clean = new Calibration([...routine, ...own]);
    const withForeign = new Calibration([...routine, ...own, once(14, 0), once(15, 0)]);
    for (const n of [1, 4, 8, 12, 16]) {
      expect(withForeign.newMessage(n) - withForeign.newSurprise).to.equal(clean.newMessage(n) - clean.newSurprise);
    }
    // They are still lines of the host's training data (2 of 10,007): the rate of new messages barely moves.
    expect(withForeign.newSurprise).to.be.closeTo(clean.newSurprise, 1e-3);
  });

  it('counts a partly foreign once-seen line by the share of its pieces the host wrote', () => {
    const half = new Calibration([...routine, ...own, once(14, 0.5)]);
    const whole = new Calibration([...routine, ...own, once(14, 1)]);
    const clean = new Calibration([...routine, ...own]);
    // Novelty 14 is beyond every own message: the tail there is 0.5 of 6.5 weights (own + prior), against 1 of 7.
    expect(half.newMessage(14) - half.newSurprise).to.be.closeTo(Math.log(6.5 / 0.5), 1e-9);
    expect(whole.newMessage(14) - whole.newSurprise).to.be.closeTo(Math.log(7), 1e-9);
    expect(clean.newMessage(14)).to.be.greaterThan(half.newMessage(14));
    expect(half.newMessage(14)).to.be.greaterThan(whole.newMessage(14));
  });

  it('leaves them out of the rarity of known templates too', () => {
    // Before, two foreign lines in the training data made every once-seen template of the host look
    // more common (their mass counted in full), so contamination lowered the rarity of its own rare lines.
    // A smaller host than above, so that the rarity of a once-seen template is under its cap.
    const few = routine.slice(0, 8);
    const clean = new Calibration([...few, ...own]);
    const withForeign = new Calibration([...few, ...own, once(14, 0), once(15, 0)]);
    const half = new Calibration([...few, ...own, once(14, 0.5)]);
    for (const e of [1, 2, 50]) expect(withForeign.rarity(e)).to.equal(clean.rarity(e));
    // Once-seen mass 5 of the host's own (+1 smoothing) over 405 lines, and half a line more.
    expect(clean.rarity(1)).to.be.closeTo(-Math.log(6 / 406), 1e-9);
    expect(half.rarity(1)).to.be.closeTo(-Math.log(6.5 / 406.5), 1e-9);
  });

  it('keeps the prior pseudo-observation when the host has no once-seen messages', () => {
    const c = new Calibration(routine);
    expect(c.newMessage(NOVELTY_PRIOR) - c.newSurprise).to.equal(0);
    expect(c.newMessage(NOVELTY_PRIOR + 2) - c.newSurprise).to.be.closeTo(2, 1e-9);
  });
});
