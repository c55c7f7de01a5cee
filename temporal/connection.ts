// One place that turns config into Temporal connections, so TLS / API-key handling for a
// Temporal Cloud or self-hosted cluster is written once.
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/index.js';

type TemporalConfig = Pick<Config['temporal'], 'address' | 'namespace' | 'apiKey' | 'tls'>;

function connectionOptions(cfg: TemporalConfig) {
  return {
    address: cfg.address,
    // An API key implies TLS on every hosted Temporal offering.
    ...(cfg.tls || cfg.apiKey !== undefined ? { tls: true } : {}),
    ...(cfg.apiKey !== undefined ? { apiKey: cfg.apiKey } : {}),
  };
}

/** `dataConverter`: the payload codec (temporal/data-converter.ts); every leadflow process passes it. */
export async function connectClient(cfg: TemporalConfig, dataConverter?: DataConverter): Promise<Client> {
  const connection = await Connection.connect({ ...connectionOptions(cfg), connectTimeout: '5 seconds' });
  return new Client({ connection, namespace: cfg.namespace, ...(dataConverter !== undefined && { dataConverter }) });
}

export async function connectWorkerConnection(cfg: TemporalConfig): Promise<NativeConnection> {
  // Loaded on use: the worker package (native core bridge) is heavy for client-only commands.
  const { NativeConnection: Native } = await import('@temporalio/worker');
  return Native.connect(connectionOptions(cfg));
}
