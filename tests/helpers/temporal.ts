// Temporal test environments backed by the project's provisioned servers: the Java
// time-skipping test server and the Temporal CLI dev server. On a machine without them (and
// with internet) the SDK's own download is the fallback.
import protos from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { dynamicConfigArgs } from '../../temporal/dev-server.js';
import { ensureTemporalCli, ensureTestServer } from '../../temporal/provision/index.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { inboxEntityKey, inboxWorkflowId } from '../../workflows/inbox/contract.js';
import { leadflowRetryPlugin } from '../../temporal/grpc-retry.js';
import { testDataConverter } from './codec.js';
import { reapOnExit } from './child-reaper.js';

const log = (m: string) => process.stderr.write(`[provision] ${m}\n`);

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = await ensureTestServer(log);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    client: { dataConverter: testDataConverter },
    ...(path === null ? {} : { server: { executable: { type: 'existing-path', path } } }),
  });
  // The test server starts with no custom search attributes; register ours as the dev server does.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, protos.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return env;
}

export async function createDevServerEnv(opts: { dynamicConfig?: Record<string, unknown> } = {}): Promise<TestWorkflowEnvironment> {
  const cli = await ensureTemporalCli(log);
  const extraArgs = dynamicConfigArgs(opts.dynamicConfig);
  if (cli !== null) reapOnExit(cli.path);
  return TestWorkflowEnvironment.createLocal({
    client: { dataConverter: testDataConverter },
    // The client retries as the product's does (temporal/grpc-retry.ts).
    plugins: [leadflowRetryPlugin],
    server: {
      ...(cli === null ? {} : { executable: { type: 'existing-path' as const, path: cli.path } }),
      searchAttributes: [...SEARCH_ATTRIBUTES],
      // The server's own log: errors only, the tests' output is for test results.
      log: { format: 'pretty', level: 'error' },
      extraArgs,
    },
  });
}

let counter = 0;
/** Unique per test: task queues and workflow IDs never collide between tests or runs. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/**
 * Terminates whichever of these workflows still run. On the time-skipping server a workflow left
 * waiting on a timer after its test's worker stopped would stall every later test's time skip.
 */
export async function terminateRunning(client: TestWorkflowEnvironment['client'], ids: string[]): Promise<void> {
  for (const id of ids) {
    const h = client.workflow.getHandle(id);
    const running = await h.describe().then(
      (d) => d.status.name === 'RUNNING',
      () => false,
    );
    if (running) await h.terminate('test finished');
  }
}

/**
 * The implicit inboxes' workflows a lead worker on `taskQueue` starts (one per channel, keyed by
 * the queue): entities that never finish, so a time-skipping test terminates them with its worker.
 */
export function implicitInboxWorkflowIds(taskQueue: string): string[] {
  return ['default', 'default-sms'].map((id) => inboxWorkflowId(inboxEntityKey(id, taskQueue)));
}
