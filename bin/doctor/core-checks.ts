// Checks for what the product cannot run without: the database and Temporal.
import protos from '@temporalio/proto';
import type { Config } from '../../config/index.js';
import { checkDb, createDb, pendingMigrations } from '../../db/index.js';
import { connectClient } from '../../temporal/connection.js';
import { LEAD_TASK_QUEUE } from '../../workflows/lead/contract.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { lockHolder } from '../lib/embedded-lock.js';
import { probe, type CheckOutcome } from './check.js';

export async function databaseCheck(config: Readonly<Config>): Promise<CheckOutcome> {
  const holder = config.databaseUrl === undefined ? lockHolder(config.dataDir) : null;
  if (holder !== null) {
    // Embedded PGlite is single-process: ask the process that holds it, through its /health.
    return probe('database', true, async () => {
      if (holder.apiUrl === null) throw new Error(`embedded database held by process ${holder.pid}, which serves no API to ask`);
      const res = await fetch(new URL('health', holder.apiUrl));
      const body = await res.json() as { checks?: { db?: { ok: boolean; error?: string } } };
      if (body.checks?.db?.ok !== true) throw new Error(`embedded database unhealthy: ${body.checks?.db?.error ?? res.statusText}`);
      return `embedded PGlite, served by process ${holder.pid} (checked through ${holder.apiUrl}health)`;
    });
  }
  return probe('database', true, async () => {
    const opened = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await checkDb(opened.db);
      const pending = await pendingMigrations(opened.db);
      if (pending.length > 0) throw new Error(`${pending.length} pending migration(s): run \`leadflow migrate\``);
      return opened.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}, migrations current` : 'PostgreSQL reachable, migrations current';
    } finally {
      await opened.close();
    }
  });
}

export async function temporalChecks(config: Readonly<Config>): Promise<CheckOutcome[]> {
  const t = config.temporal;
  let client: Awaited<ReturnType<typeof connectClient>> | undefined;
  const server = await probe('temporal', true, async () => {
    client = await connectClient(t);
    const info = await client.workflowService.getSystemInfo({});
    await client.workflowService.describeNamespace({ namespace: t.namespace });
    return `${t.address}, namespace ${t.namespace}, server ${info.serverVersion || 'unknown version'}`;
  });
  if (!server.ok || client === undefined) return [server];
  const c = client;
  try {
    const attrs = await probe('temporal search attributes', true, async () => {
      const res = await c.connection.operatorService.listSearchAttributes({ namespace: t.namespace });
      const have = Object.keys(res.customAttributes ?? {});
      const missing = SEARCH_ATTRIBUTES.map((k) => k.name).filter((n) => !have.includes(n));
      if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: register them (temporal operator search-attribute create --name X --type Keyword)`);
      return SEARCH_ATTRIBUTES.map((k) => k.name).join(', ');
    });
    const pollers = await probe('workers', false, async () => {
      const res = await c.workflowService.describeTaskQueue({
        namespace: t.namespace, taskQueue: { name: LEAD_TASK_QUEUE }, taskQueueType: protos.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const n = res.pollers?.length ?? 0;
      if (n === 0) throw new Error(`no worker polls ${LEAD_TASK_QUEUE}: start \`leadflow worker\` or \`leadflow up\``);
      return `${n} poller(s) on ${LEAD_TASK_QUEUE}`;
    });
    return [server, attrs, pollers];
  } finally {
    await c.connection.close();
  }
}
