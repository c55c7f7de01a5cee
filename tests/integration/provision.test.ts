// The provisioned Temporal servers work with the SDK's own test environments, offline: the
// Java time-skipping test server (through its generated launcher) and the Temporal CLI dev
// server (with the custom search attributes the lead workflows rely on).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli, ensureTestServer } from '../../temporal/provision/index.js';
import { portOpen } from '../../temporal/net.js';

const log = (m: string) => process.stderr.write(`[provision] ${m}\n`);
const DAY_MS = 24 * 60 * 60 * 1000;
// temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: a protobuf wire value,
// fixed forever, so it is spelled out rather than importing @temporalio/proto (not a direct dependency).
const INDEXED_VALUE_TYPE_KEYWORD = 2;

function addressOpen(address: string): Promise<boolean> {
  const i = address.lastIndexOf(':');
  return portOpen(Number(address.slice(i + 1)), address.slice(0, i));
}

test('time-skipping test server: launcher starts under the SDK, skips a day fast, tears down', async () => {
  const launcher = await ensureTestServer(log);
  assert.ok(launcher !== null, 'ensureTestServer returned null: Java and Maven are required');

  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: launcher } } });
  const address = env.address;
  try {
    assert.equal(env.supportsTimeSkipping, true);
    const before = await env.currentTimeMs();
    const wallStart = Date.now();
    await env.sleep('1 day');
    const after = await env.currentTimeMs();
    assert.ok(after - before >= DAY_MS, `server time moved ${after - before} ms, expected at least a day`);
    assert.ok(Date.now() - wallStart < 30_000, 'a skipped day must not take real time');
  } finally {
    await env.teardown();
  }
  // Teardown kills the process the SDK started; since the launcher `exec`s, that is the JVM.
  assert.equal(await addressOpen(address), false, `test server still listening on ${address} after teardown`);
});

test('dev server: the provisioned Temporal CLI registers a custom Keyword search attribute', async () => {
  const cli = await ensureTemporalCli(log);
  assert.ok(cli !== null, 'ensureTemporalCli returned null: set TEMPORAL_CLI, put temporal on PATH, or install Go');

  const leadStatus = defineSearchAttributeKey('LeadStatus', SearchAttributeType.KEYWORD);
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli.path }, searchAttributes: [leadStatus] },
  });
  const address = env.address;
  try {
    assert.equal(env.supportsTimeSkipping, false);
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    assert.equal(customAttributes?.[leadStatus.name], INDEXED_VALUE_TYPE_KEYWORD, `LeadStatus not registered as Keyword: ${JSON.stringify(customAttributes)}`);
  } finally {
    await env.teardown();
  }
  assert.equal(await addressOpen(address), false, `dev server still listening on ${address} after teardown`);
});
