// Mocha root hooks: stop the test database server (if one was started) and remove the tests'
// temporary directories when the run ends.
import { stopTestServer } from './mongo-server.js';
import { removeTempDirs } from './temp-dir.js';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopTestServer();
    removeTempDirs();
  },
};
