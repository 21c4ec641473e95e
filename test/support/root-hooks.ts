// Mocha root hooks: stop the test database server (if one was started) when the run ends.
import { stopTestServer } from './mongo-server.js';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopTestServer();
  },
};
