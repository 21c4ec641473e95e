import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentWith, parseEnvFile } from '../../src/config/env-file.js';
import { tempDir } from '../support/temp-dir.js';

describe('the service environment file (--environment-file)', () => {
  const cases: Array<[string, string, Record<string, string>, number[]]> = [
    ['a connection string with & ? and $ kept as is', 'MONGODB_URI=mongodb://u:p$w@db/?authSource=admin&tls=true', { MONGODB_URI: 'mongodb://u:p$w@db/?authSource=admin&tls=true' }, []],
    ['comments and blank lines', '# note\n\n; other\nA=1\n', { A: '1' }, []],
    ['double quotes with escapes', 'A="x \\"y\\" \\\\z"', { A: 'x "y" \\z' }, []],
    ['single quotes', "A='a b'", { A: 'a b' }, []],
    ['spaces around = and CRLF line ends', 'A = 1\r\nB=2\r\n', { A: '1', B: '2' }, []],
    ['an empty value', 'A=', { A: '' }, []],
    ['the last of a repeated key', 'A=1\nA=2', { A: '2' }, []],
    ['lines that are not KEY=value, by number', 'A=1\nexport B=2\n=3\nC', { A: '1' }, [2, 3, 4]],
  ];
  for (const [name, text, vars, bad] of cases) {
    it(`parses ${name}`, () => expect(parseEnvFile(text)).to.deep.equal({ vars, bad }));
  }

  it('puts the files over the environment in order, and names a file it cannot use', () => {
    const dir = tempDir('ad-envfile-');
    const a = join(dir, 'a.env');
    const b = join(dir, 'b.env');
    writeFileSync(a, 'MONGODB_URI=mongodb://a/\nX=1\n');
    writeFileSync(b, 'MONGODB_URI=mongodb://b/\n');
    expect(environmentWith([], { Y: '0' })).to.deep.equal({ Y: '0' });
    expect(environmentWith([a, b], { MONGODB_URI: 'mongodb://shell/', Y: '0' })).to.deep.equal({ MONGODB_URI: 'mongodb://b/', X: '1', Y: '0' });
    expect(() => environmentWith([join(dir, 'missing.env')], {})).to.throw(/cannot read .*missing\.env: ENOENT/);
    writeFileSync(b, 'MONGODB_URI mongodb://b/\n');
    expect(() => environmentWith([b], {})).to.throw(/b\.env: line 1 is not KEY=value/);
  });
});
