import { expect } from 'chai';
import { ScoreLineJson } from '../../src/offline/score-line-json.js';
import type { Reason, ScoredLine } from '../../src/model/types.js';

/** What the score command wrote with JSON.stringify before: the output format the pieces must keep, byte for byte. */
function stringified(line: number, s: ScoredLine, threshold: number): string {
  return JSON.stringify({ line, score: s.score, anomaly: s.score >= threshold, template: s.template, reasons: s.reasons });
}

function scored(score: number, template: string, reasons: Reason[] = []): ScoredLine {
  return { score, template, templateId: 't', reasons };
}

describe('ScoreLineJson: one output line of the score command', () => {
  const cases: Array<[string, ScoredLine]> = [
    ['a plain template, no reasons', scored(0.0035, 'Accepted password for <*> from <*> port <*> ssh2')],
    ['score 0 and 1', scored(0, 'x')],
    ['score 1', scored(1, 'y', ['new_template', 'error_terms'])],
    ['a tiny score in exponent notation', scored(1e-7, 'z')],
    ['quotes and backslashes', scored(0.5, 'path "C:\\Windows\\x" said \'no\'', ['unseen_tokens'])],
    ['control characters, tab and DEL', scored(0.25, 'a\u0001b\tc\u007f\u001f', ['rare_template'])],
    ['line and paragraph separators', scored(0.3, 'x\u2028y\u2029z')],
    ['a lone surrogate (JSON.stringify escapes it)', scored(0.4, 'bad \ud800 half')],
    ['non-ASCII text', scored(0.9, 'Ошибка диска <*> 失败', ['error_terms', 'unusual_value'])],
    ['an empty template', scored(0.1, '')],
    ['a template past the cached length', scored(0.8, `${'word '.repeat(400)}"end"`, ['new_template'])],
  ];
  for (const [name, s] of cases) {
    it(`writes what JSON.stringify writes: ${name}`, () => {
      const json = new ScoreLineJson(0.7);
      // Twice: the second comes from the cache.
      expect(json.format(7, s)).to.equal(stringified(7, s, 0.7));
      expect(json.format(8, s)).to.equal(stringified(8, s, 0.7));
      expect(JSON.parse(json.format(9, s))).to.deep.equal({ line: 9, score: s.score, anomaly: s.score >= 0.7, template: s.template, reasons: s.reasons });
    });
  }

  it('flags a score equal to the threshold, and not one just below', () => {
    const json = new ScoreLineJson(0.7);
    expect(JSON.parse(json.format(1, scored(0.7, 'a'))).anomaly).to.equal(true);
    expect(JSON.parse(json.format(2, scored(0.6999, 'a'))).anomaly).to.equal(false);
  });

  it('keeps each template and reason list with its own text when thousands of templates pass through the cache', () => {
    const json = new ScoreLineJson(0.5);
    const reasons: Reason[][] = [[], ['new_template'], ['rare_template', 'error_terms'], ['unseen_tokens', 'unusual_value']];
    // More templates than the cache holds, each seen twice, some long after: a cleared cache must not mix them up.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10_000; i++) {
        const s = scored((i % 100) / 100, `template ${i} "q" <*>`, reasons[i % reasons.length]!);
        expect(json.format(i + 1, s)).to.equal(stringified(i + 1, s, 0.5));
      }
    }
  });
});
