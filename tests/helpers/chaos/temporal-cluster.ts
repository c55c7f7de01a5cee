// Temporal's own server over PostgreSQL (temporal/cluster.ts, deploy/temporal/config.yaml) as a
// RestartableTemporal for the chaos world: its own throwaway PostgreSQL with a `temporal` role
// that has a password, both schemas from the SQL tool, the namespace and search attributes
// registered through the operator API. A restart is a SIGTERM of the server process and a start
// on the same ports over the same databases, as an operator's rolling restart of a one-node cluster.
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import pg from 'pg';
import { registerLeadflowNamespace, startTemporalCluster, type ClusterOptions, type TemporalCluster } from '../../../temporal/cluster.js';
import { freePort, portOpen } from '../../../temporal/net.js';
import { ensureTemporalServerTools, setupTemporalSchemas, type TemporalDb } from '../../../temporal/provision/temporal-server.js';
import { startPostgresCluster } from '../postgres.js';
import type { RestartableTemporal } from './temporal-server.js';
import { leadflowRetryPlugin } from '../../../temporal/grpc-retry.js';

const log = (m: string) => process.stderr.write(`[provision] ${m}\n`);
const NAMESPACE = 'default';

/**
 * A port base whose derived ports (see config.yaml's header) are all free right now, below 32,768:
 * the SQL persistence keeps membership ports in a smallint column (a port above it fails the
 * server's start with "out of range for type smallint").
 */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const base = 10_400 + Math.floor(Math.random() * 22_000);
    const ports = [0, 1, 2, 6, 10, -300, -299, -298, -294].map((d) => base + d);
    if (!(await Promise.all(ports.map((p) => portOpen(p)))).some(Boolean) || attempt > 50) return base;
  }
}

async function namespaceReady(connection: Connection, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService.countWorkflowExecutions({ namespace: NAMESPACE });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export interface ClusterHandle extends RestartableTemporal {
  /** The Temporal server's own output, last lines (for a failing test's message). */
  output: string[];
}

export async function startRestartableCluster(dataConverter?: DataConverter): Promise<ClusterHandle> {
  const tools = await ensureTemporalServerTools(log);
  const postgres = await startPostgresCluster({ durable: true });
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  const password = `temporal-${Math.random().toString(36).slice(2)}`;
  await admin.query(`CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${password}'`);
  await admin.end();
  const url = new URL(postgres.url);
  const db: TemporalDb = { host: url.hostname, port: Number(url.port), user: 'temporal', password };
  await setupTemporalSchemas(tools.sqlTool, db, log);

  const output: string[] = [];
  const opts: ClusterOptions = {
    serverPath: tools.server,
    db,
    portBase: await freePortBase(),
    metricsAddress: `127.0.0.1:${await freePort()}`,
    onOutput: (line) => {
      output.push(line);
      if (output.length > 50) output.shift();
    },
  };
  let server: TemporalCluster = await startTemporalCluster(opts);
  const connection = await Connection.connect({ address: server.address, plugins: [leadflowRetryPlugin] });
  await registerLeadflowNamespace(connection, NAMESPACE);
  await namespaceReady(connection);
  const client = new Client({ connection, namespace: NAMESPACE, ...(dataConverter !== undefined && { dataConverter }) });
  const handle: ClusterHandle = {
    address: server.address,
    client,
    restarts: 0,
    output,
    async restart(downMs: number) {
      await server.stop();
      await new Promise((r) => setTimeout(r, downMs));
      for (let i = 0; i < 50 && (await portOpen(opts.portBase)); i++) await new Promise((r) => setTimeout(r, 100));
      server = await startTemporalCluster(opts);
      handle.restarts += 1;
    },
    async stop() {
      await connection.close().catch(() => undefined);
      await server.stop();
      await postgres.stop();
    },
  };
  return handle;
}
