// One place that turns config into Temporal connections, so TLS / mTLS / API-key handling for a
// Temporal Cloud or self-hosted cluster is written once: the worker, the API and every CLI command
// connect through here.
import { readFile } from 'node:fs/promises';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/index.js';
import { leadflowRetryPlugin } from './grpc-retry.js';

type TemporalConfig = Pick<Config['temporal'], 'address' | 'namespace' | 'apiKey' | 'tls' | 'tlsFiles'>;

/**
 * A PEM file named by `variable`. Read at each connect (not at config load), so a rotated
 * certificate is picked up by the next connection. Errors name the variable and the path, never
 * the content: the key must not reach a log.
 */
async function pemFile(variable: string, file: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    throw new Error(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // `PRIVATE KEY-----` also matches `RSA PRIVATE KEY` and `EC PRIVATE KEY`: every PEM key form.
  if (!data.includes(`${kind}-----`)) throw new Error(`${variable}: ${file} holds no PEM ${kind.toLowerCase()}`);
  return data;
}

/** What the SDK's `tls` option takes: undefined (plaintext), `true` (system CAs), or the files. */
export async function tlsOptions(cfg: TemporalConfig): Promise<TLSConfig | true | undefined> {
  // An API key implies TLS on every hosted Temporal offering.
  if (!cfg.tls && cfg.apiKey === undefined) return undefined;
  const { clientCert, caPath, serverName } = cfg.tlsFiles;
  if (clientCert === undefined && caPath === undefined && serverName === undefined) return true;
  return {
    ...(serverName !== undefined && { serverNameOverride: serverName }),
    ...(caPath !== undefined && { serverRootCACertificate: await pemFile('TEMPORAL_TLS_CA_PATH', caPath, 'CERTIFICATE') }),
    ...(clientCert !== undefined && {
      clientCertPair: {
        crt: await pemFile('TEMPORAL_TLS_CERT_PATH', clientCert.certPath, 'CERTIFICATE'),
        key: await pemFile('TEMPORAL_TLS_KEY_PATH', clientCert.keyPath, 'PRIVATE KEY'),
      },
    }),
  };
}

async function connectionOptions(cfg: TemporalConfig) {
  const tls = await tlsOptions(cfg);
  return {
    address: cfg.address,
    ...(tls !== undefined && { tls }),
    ...(cfg.apiKey !== undefined && { apiKey: cfg.apiKey }),
  };
}

/** `dataConverter`: the payload codec (temporal/data-converter.ts); every leadflow process passes it. */
export async function connectClient(cfg: TemporalConfig, dataConverter?: DataConverter): Promise<Client> {
  const connection = await Connection.connect({ ...(await connectionOptions(cfg)), connectTimeout: '5 seconds', plugins: [leadflowRetryPlugin] });
  return new Client({ connection, namespace: cfg.namespace, ...(dataConverter !== undefined && { dataConverter }) });
}

export async function connectWorkerConnection(cfg: TemporalConfig): Promise<NativeConnection> {
  // Loaded on use: the worker package (native core bridge) is heavy for client-only commands.
  const { NativeConnection: Native } = await import('@temporalio/worker');
  return Native.connect(await connectionOptions(cfg));
}
