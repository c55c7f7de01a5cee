// A Temporal CLI dev server that can be restarted in place: the same port and the same SQLite
// file (--db-filename), so workflows, timers and task queues survive the restart the way they do
// on a real cluster. Started through the product's own temporal/dev-server.ts with the
// provisioned CLI (the SDK's TestWorkflowEnvironment.createLocal cannot come back on its port).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { startDevServer, type DevServer } from '../../../temporal/dev-server.js';
import { freePort, portOpen } from '../../../temporal/net.js';
import { ensureTemporalCli } from '../../../temporal/provision/index.js';
import { leadflowRetryPlugin } from '../../../temporal/grpc-retry.js';

export interface RestartableTemporal {
  address: string;
  /** A client of the test's own; its connection reconnects by itself after a restart. */
  client: Client;
  /** SIGTERM (the dev server flushes SQLite), `downMs` with nothing listening, then the same server again. */
  restart(downMs: number): Promise<void>;
  restarts: number;
  stop(): Promise<void>;
}

const log = (m: string) => process.stderr.write(`[provision] ${m}\n`);

/** `dataConverter`: the payload codec the worker processes use (see tests/helpers/codec.ts). */
export async function startRestartableTemporal(dataConverter?: DataConverter): Promise<RestartableTemporal> {
  const cli = await ensureTemporalCli(log);
  if (cli === null) throw new Error('the Temporal CLI is not provisioned (run `node scripts/provision.mjs`)');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadflow-chaos-temporal-'));
  const port = await freePort();
  const lines: string[] = [];
  const opts = {
    cliPath: cli.path,
    dataDir,
    port,
    uiPort: 0,
    namespace: 'default',
    headless: true,
    onOutput: (line: string) => {
      lines.push(line);
      if (lines.length > 50) lines.shift();
    },
  };
  let server: DevServer = await startDevServer(opts);
  const connection = await Connection.connect({ address: server.address, plugins: [leadflowRetryPlugin] });
  const client = new Client({ connection, namespace: 'default', ...(dataConverter !== undefined && { dataConverter }) });
  const handle: RestartableTemporal = {
    address: server.address,
    client,
    restarts: 0,
    async restart(downMs: number) {
      await server.stop();
      await new Promise((r) => setTimeout(r, downMs));
      // The old listener may linger for a moment after the process exits.
      for (let i = 0; i < 50 && (await portOpen(port)); i++) await new Promise((r) => setTimeout(r, 100));
      server = await startDevServer(opts);
      handle.restarts += 1;
    },
    async stop() {
      await connection.close().catch(() => undefined);
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
