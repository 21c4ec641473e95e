// Table tests of masked templates: a line and the template its default masking gives.
import { expect } from 'chai';
import { NO_MASKS, tokenize } from '../../src/model/mask.js';

/** The line's masked tokens as one template text. */
export const maskedTemplate = (line: string): string => tokenize(line, NO_MASKS).tokens.join(' ');

/** One test per case: the line masks to the template. */
export function itMasksTo(cases: ReadonlyArray<readonly [what: string, line: string, template: string]>): void {
  for (const [what, line, template] of cases) {
    it(`${what}: ${template}`, () => expect(maskedTemplate(line)).to.equal(template));
  }
}

/** One test per case: `render` leaves the line as it is (null: not its kind of line). */
export function itLeavesAsIs(render: (line: string) => string | null, cases: ReadonlyArray<readonly [what: string, line: string]>): void {
  for (const [what, line] of cases) {
    it(`leaves ${what} as it is`, () => expect(render(line)).to.equal(null));
  }
}
