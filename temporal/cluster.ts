// Runs Temporal's own server (all four services in one process) from deploy/temporal/config.yaml
// over PostgreSQL, and registers what leadflow needs in it: the namespace and the custom search
// attributes. The dev server does both from its flags; a real cluster needs them done through the
// operator API once, which is what `registerLeadflowNamespace` does (idempotently).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import protos from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { portOpen } from './net.js';
import type { TemporalDb } from './provision/temporal-server.js';

const DEPLOY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'temporal');
export const CLUSTER_CONFIG = path.join(DEPLOY, 'config.yaml');
export const CLUSTER_DYNAMIC_CONFIG = path.join(DEPLOY, 'dynamicconfig.yaml');

export interface ClusterOptions {
  serverPath: string;
  db: TemporalDb;
  /** The frontend's gRPC port; the other services use the ports config.yaml derives from it. */
  portBase: number;
  metricsAddress: string;
  numHistoryShards?: number;
  onOutput?: (line: string) => void;
}

export interface TemporalCluster {
  address: string;
  process: ChildProcess;
  /** SIGTERM, and SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The server's environment: everything config.yaml reads (see its header). */
export function clusterEnv(o: ClusterOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    TEMPORAL_DB_HOST: o.db.host,
    TEMPORAL_DB_PORT: String(o.db.port),
    TEMPORAL_DB_USER: o.db.user,
    TEMPORAL_DB_PASSWORD: o.db.password,
    ...(o.db.database !== undefined && { TEMPORAL_DB_NAME: o.db.database }),
    ...(o.db.visibilityDatabase !== undefined && { TEMPORAL_VISIBILITY_DB_NAME: o.db.visibilityDatabase }),
    TEMPORAL_BIND_IP: '127.0.0.1',
    TEMPORAL_PORT_BASE: String(o.portBase),
    TEMPORAL_METRICS_ADDRESS: o.metricsAddress,
    TEMPORAL_DYNAMIC_CONFIG: CLUSTER_DYNAMIC_CONFIG,
    NUM_HISTORY_SHARDS: String(o.numHistoryShards ?? 4),
    LOG_LEVEL: 'warn',
  };
}

/** Starts the server and resolves once its frontend answers a health check (or rejects with its last lines). */
export async function startTemporalCluster(o: ClusterOptions, timeoutMs = 120_000): Promise<TemporalCluster> {
  if (await portOpen(o.portBase)) throw new Error(`port ${o.portBase} is already in use`);
  const child = spawn(o.serverPath, ['--config-file', CLUSTER_CONFIG, '--allow-no-auth', 'start'], { env: clusterEnv(o), stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > 30) tail.shift();
      o.onOutput?.(line);
    }
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  // An object, not a `let`: TypeScript cannot see the callback's write and would narrow it to null.
  const state: { exited: string | null } = { exited: null };
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      state.exited = `exited with ${signal ?? code}`;
      resolve();
    }),
  );
  const address = `127.0.0.1:${o.portBase}`;
  const stop = async (graceMs = 15_000) => {
    if (state.exited !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (state.exited !== null) throw new Error(`Temporal server ${state.exited} before serving:\n${tail.join('\n')}`);
    if (await frontendServing(address)) return { address, process: child, stop };
    if (Date.now() > deadline) {
      await stop(2_000);
      throw new Error(`Temporal server did not serve on ${address} within ${timeoutMs} ms:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function frontendServing(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 }).catch(() => null);
  if (connection === null) return false;
  try {
    const res = await connection.withDeadline(Date.now() + 2_000, () => connection.healthService.check({}));
    return res.status === protos.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Registers `namespace` (when missing) with `retentionDays`, and leadflow's search attributes
 * (those missing) as Keyword. Safe to run at every deploy.
 */
export async function registerLeadflowNamespace(connection: Connection, namespace: string, retentionDays = 30): Promise<void> {
  const ws = connection.workflowService;
  const known = await ws.describeNamespace({ namespace }).then(
    () => true,
    (err: { code?: number }) => {
      if (err.code === 5) return false; // NOT_FOUND
      throw err;
    },
  );
  if (!known) {
    await ws.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(retentionDays * 86_400_000) }).catch((err: { code?: number }) => {
      if (err.code !== 6) throw err; // ALREADY_EXISTS: another deployer won the race
    });
  }
  // A new namespace reaches the frontends' namespace cache after a refresh (up to ~10 s): until then
  // the operator API answers NOT_FOUND for it.
  const have = await untilFound(() => connection.operatorService.listSearchAttributes({ namespace }));
  const missing = SEARCH_ATTRIBUTES.filter((k) => have.customAttributes?.[k.name] === undefined);
  if (missing.length === 0) return;
  const KEYWORD = protos.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, KEYWORD])) });
}

async function untilFound<T>(call: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if ((err as { code?: number }).code !== 5 || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
