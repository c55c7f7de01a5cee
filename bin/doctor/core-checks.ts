// Checks for what the product cannot run without: the database and Temporal.
import protos from '@temporalio/proto';
import type { Config } from '../../config/index.js';
import { checkDb, createDb, pendingMigrations } from '../../db/index.js';
import { connectClient } from '../../temporal/connection.js';
import { LEAD_TASK_QUEUE } from '../../workflows/lead/contract.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { embeddedOwner } from '../lib/embedded-owner.js';
import { probe, type CheckOutcome } from '../../domain/health/probe.js';

export async function databaseCheck(config: Readonly<Config>): Promise<CheckOutcome> {
  const owner = config.databaseUrl === undefined ? embeddedOwner(config.dataDir) : null;
  return probe(
    'database',
    true,
    async () => {
      // The embedded database is opened by one process; when one serves it, ask it over the wire.
      const opened = await createDb({ databaseUrl: config.databaseUrl ?? owner?.dbUrl, dataDir: config.dataDir, poolMax: 1 });
      try {
        await checkDb(opened.db);
        const pending = await pendingMigrations(opened.db);
        if (pending.length > 0) throw new Error(`${pending.length} pending migration(s): run \`leadflow migrate\``);
        if (config.databaseUrl !== undefined) return 'PostgreSQL reachable, migrations current';
        return owner !== null
          ? `embedded PGlite, served by process ${owner.pid} at ${withoutPassword(owner.dbUrl)}, migrations current`
          : `embedded PGlite in ${config.dataDir}, migrations current`;
      } finally {
        await opened.close();
      }
      // Opening embedded PGlite runs its WASM initdb the first time: allow for that.
    },
    config.databaseUrl === undefined && owner === null ? 60_000 : 5_000,
  );
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
      if (missing.length > 0)
        throw new Error(`missing ${missing.join(', ')}: register them (temporal operator search-attribute create --name X --type Keyword)`);
      return SEARCH_ATTRIBUTES.map((k) => k.name).join(', ');
    });
    const pollers = await probe('workers', false, async () => {
      const res = await c.workflowService.describeTaskQueue({
        namespace: t.namespace,
        taskQueue: { name: LEAD_TASK_QUEUE },
        taskQueueType: protos.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
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

/** The embedded server's URL as shown to people: the password stays in its 0600 file. */
function withoutPassword(url: string): string {
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}
