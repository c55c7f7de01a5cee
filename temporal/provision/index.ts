// Provisioning of the Temporal servers that tests and `leadflow up` run locally, without the
// SDK's GitHub downloads: the Temporal CLI (dev server) and the Java time-skipping test server.
export { cacheDir } from './cache.js';
export {
  cachedTemporalCliPath,
  ensureTemporalCli,
  TEMPORAL_CLI_MODULE,
  TEMPORAL_CLI_VERSION,
  type TemporalCli,
  type TemporalCliSource,
} from './temporal-cli.js';
export { ensureTestServer, measureStartup, TEST_SERVER_VERSION, testServerPaths, type TestServerPaths } from './test-server.js';
export type { Log } from './exec.js';
