import { expect } from 'chai';
import { FoldedWords } from '../../src/model/folded-words.js';

describe('folded words: a small word set looked up in any case inside a text', () => {
  const words = new Set(['true', 'null', 'undefined', 'kst']);
  const set = new FoldedWords(words);

  it('agrees with lower-casing the word and looking it up', () => {
    const cases = ['true', 'TRUE', 'True', 'tRuE', 'trUe1', 'tru', 'truee', 'null', 'NuLL', 'nul', 'Undefined', 'UNDEFINED', 'undefine', 'x', '', 'the', '\u212Ast', 'n\u00fcll', 'tr-e'];
    for (const w of cases) expect(set.has(`<${w}>`, 1, 1 + w.length), JSON.stringify(w)).to.equal(words.has(w.toLowerCase()));
  });

  it('refuses words it cannot hold', () => {
    expect(() => new FoldedWords(new Set(['Upper']))).to.throw(/lower-case letters/);
    expect(() => new FoldedWords(new Set(['tenletters']))).to.throw(/1-9/);
  });
});
