// The failure vocabulary: which words and phrases of a line say "something broke", by table.
import { expect } from 'chai';
import { compileMasks, tokenize } from '../../src/model/mask.js';
import { lineFailureTerms } from '../../src/model/vocabulary.js';

const masks = compileMasks([]);
const terms = (line: string): string[] => lineFailureTerms(tokenize(line, masks).tokens).map((t) => t.term);

describe('failure vocabulary', () => {
  const table: Array<[string, string[]]> = [
    ['Connection refused to 10.0.0.5:8080', ['refused']],
    ['TrustedInstaller service terminated unexpectedly; the system will reboot', ['terminated', 'unexpectedly']],
    ['kernel: Out of memory: Killed process 1895 (java)', ['out of memory', 'killed']],
    ['Container oomkilled, restarting', ['oomkilled']],
    ['upstream timed out (110: Connection timed out) while reading response header', ['timed out']],
    ['Giving up on host db-3 after 5 attempts', ['giving up']],
    ['worker[812]: segmentation fault (core dumped)', ['fault', 'core dumped']],
    ['Insufficient replicas for partition 7', ['insufficient']],
    ['node-4 is unresponsive, marking unhealthy', ['unresponsive', 'unhealthy']],
    ['fsync failed: errno 28', ['failed', 'errno']],
    ['Remounting filesystem read-only', ['read only']],
    ['    at org.example.Foo.bar(Foo.java:42)', ['stack frame']],
    // Routine lines: no failure terms, and "not"/"closed" count only in phrases.
    ['Accepted publickey for deploy from 10.1.2.3 port 52311 ssh2', []],
    ['session closed for user root', []],
    ['Debug: hangup signal received, reloading configuration', []],
    ['PacketResponder 2 for block blk_123 terminating', []],
  ];
  for (const [line, want] of table) {
    it(`"${line}" -> [${want.join(', ')}]`, () => {
      expect(terms(line)).to.deep.equal(want);
    });
  }
});
