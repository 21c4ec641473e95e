// Mocha root hooks: say when a test is tried again, stop the test database server (if one was
// started) and remove the tests' temporary directories when the run ends.
import type { Context } from 'mocha';
import { stopTestServer } from './mongo-server.js';
import { removeTempDirs } from './temp-dir.js';

export const mochaHooks = {
  /**
   * .mocharc.json tries a failed test once more (`retries`): the end-to-end tests run daemons,
   * worker threads and a database server against deadlines on shared, noisy machines. A test that
   * passes only on its second try is still printed as such, so that flakiness stays visible.
   */
  beforeEach(this: Context): void {
    const t = this.currentTest;
    // Public in Mocha's API (Runnable#currentRetry), protected in its type declarations.
    const tries = t === undefined ? 0 : (t as unknown as { currentRetry(): number }).currentRetry();
    if (t !== undefined && tries > 0) process.stdout.write(`      (try ${tries + 1} of "${t.fullTitle()}": the try before failed)\n`);
  },

  async afterAll(): Promise<void> {
    await stopTestServer();
    removeTempDirs();
  },
};
