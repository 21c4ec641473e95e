// The level word a document's LEVEL_FIELD value gives the model, as a header would write it.
import { expect } from 'chai';
import { levelWord, withLevel } from '../../src/model/level-word.js';
import { declaredLevel } from '../../src/model/vocabulary.js';
import { tokenize } from '../../src/model/mask.js';

describe('level words of a level field', () => {
  it('reads words in any case, logcat letters, syslog severities and pino levels, and nothing else', () => {
    const cases: Array<[unknown, string | null]> = [
      ['err', 'ERROR'],
      ['ERROR', 'ERROR'],
      ['Warning', 'WARNING'],
      [' info ', 'INFO'],
      ['Information', 'INFO'],
      ['notice', 'NOTICE'],
      ['crit', 'CRITICAL'],
      ['emerg', 'EMERGENCY'],
      ['E', 'ERROR'],
      ['w', 'WARNING'],
      ['V', 'VERBOSE'],
      ['verbose', 'VERBOSE'],
      [0, 'EMERGENCY'],
      [3, 'ERROR'],
      [4, 'WARNING'],
      [6, 'INFO'],
      [7, 'DEBUG'],
      ['3', 'ERROR'],
      [30, 'INFO'],
      [50, 'ERROR'],
      [60, 'FATAL'],
      [8, null],
      [-1, null],
      [3.5, null],
      [45, null],
      ['', null],
      ['x', null],
      ['bogus', null],
      ['error: disk full', null],
      [`${' '.repeat(20)}error`, null],
      [`error${' '.repeat(1 << 20)}`, null],
      [`   err   `, 'ERROR'],
      [null, null],
      [undefined, null],
      [true, null],
      [{ level: 'error' }, null],
      [['error'], null],
    ];
    for (const [value, word] of cases) expect(levelWord(value), (JSON.stringify(value) ?? String(value)).slice(0, 40)).to.equal(word);
  });

  it('puts the word in front of the message, where the model reads it as the declared level', () => {
    expect(withLevel('disk sda checked', 3)).to.equal('ERROR disk sda checked');
    expect(withLevel('disk sda checked', 'bogus')).to.equal('disk sda checked');
    expect(withLevel('disk sda checked', undefined)).to.equal('disk sda checked');
    const declared = (level: unknown): unknown => declaredLevel(tokenize(withLevel('disk sda checked', level)).tokens);
    expect([3, 4, 6, 'E', 'notice', null].map(declared)).to.deep.equal(['error', 'warn', 'info', 'error', 'info', null]);
  });
});
