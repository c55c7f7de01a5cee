// TEMPORAL_*: where the Temporal frontend is and how to reach it (TLS, mTLS client certificates,
// an API key), and how the workers identify their build. Parsed with the rest of the config, so a
// half-configured certificate pair or versioning stops every process at start, naming the variable.
// Only paths are kept here: the files are read when connecting (temporal/connection.ts), so no
// certificate or key content ever sits in the config object that gets printed.
import path from 'node:path';
import { bool, ConfigError, hostPort, int, requireTogether, str, url, type Env } from './env-parse.js';

export interface TemporalTlsFiles {
  /** TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH: the client certificate pair for mTLS (both or neither). */
  clientCert: { certPath: string; keyPath: string } | undefined;
  /** TEMPORAL_TLS_CA_PATH: the CA the server's certificate must chain to; unset: the system CAs. */
  caPath: string | undefined;
  /** TEMPORAL_TLS_SERVER_NAME: the name the server's certificate is checked against (and SNI), when not the address's host. */
  serverName: string | undefined;
}

/**
 * TEMPORAL_WORKER_BUILD_ID alone only labels the workers (identity and build ID on every task they
 * complete); routing by version stays off, so a deploy never strands running workflows on an old
 * build. TEMPORAL_WORKER_VERSIONING=true opts into Worker Deployment versioning with
 * TEMPORAL_DEPLOYMENT_NAME: the server then routes tasks by version (workers/versioning.ts).
 */
export interface WorkerBuild {
  buildId: string;
  /** Set only with TEMPORAL_WORKER_VERSIONING=true. */
  deploymentName: string | undefined;
}

export interface TemporalConfig {
  address: string;
  namespace: string;
  apiKey: string | undefined;
  /** TEMPORAL_TLS, or implied by any TEMPORAL_TLS_* setting. */
  tls: boolean;
  tlsFiles: TemporalTlsFiles;
  /** undefined: TEMPORAL_WORKER_BUILD_ID unset, the SDK's own default build ID. */
  workerBuild: WorkerBuild | undefined;
  /** Start the Temporal CLI dev server inside `leadflow up` (the local default). */
  embedded: boolean;
  uiPort: number;
  uiUrl: string;
  /** Where workers expose the Temporal SDK's own Prometheus metrics; undefined disables them. */
  sdkMetricsAddress: string | undefined;
  /** Where a standalone worker serves the product metrics (/metrics); undefined disables it. */
  workerMetricsAddress: string | undefined;
  /** WORKER_MEMORY_MB: the lead worker's memory budget, which sizes its sticky cache (workers/cache-budget.ts). */
  workerMemoryMb: number;
}

/** Relative paths resolve against the working directory, as LEADFLOW_DATA_DIR does. */
function filePath(env: Env, name: string, cwd: string): string | undefined {
  const v = str(env, name);
  return v === undefined ? undefined : path.resolve(cwd, v);
}

export function temporalTlsFiles(env: Env, cwd: string): TemporalTlsFiles {
  requireTogether(env, ['TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH']);
  const certPath = filePath(env, 'TEMPORAL_TLS_CERT_PATH', cwd);
  const keyPath = filePath(env, 'TEMPORAL_TLS_KEY_PATH', cwd);
  const serverName = str(env, 'TEMPORAL_TLS_SERVER_NAME');
  if (serverName !== undefined && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(serverName))
    throw new ConfigError(`TEMPORAL_TLS_SERVER_NAME must be a host name, got "${serverName}"`);
  return {
    clientCert: certPath !== undefined && keyPath !== undefined ? { certPath, keyPath } : undefined,
    caPath: filePath(env, 'TEMPORAL_TLS_CA_PATH', cwd),
    serverName,
  };
}

/** The server's limit for a build ID (limit.workerBuildIdSize) and its reserved `__` prefix. */
function versionField(env: Env, name: string): string | undefined {
  const v = str(env, name);
  if (v === undefined) return undefined;
  if (/\s/.test(v) || v.length > 255 || v.startsWith('__'))
    throw new ConfigError(`${name} must be 1-255 characters without spaces, not starting with __, got "${v}"`);
  return v;
}

export function workerBuild(env: Env): WorkerBuild | undefined {
  const buildId = versionField(env, 'TEMPORAL_WORKER_BUILD_ID');
  const deploymentName = versionField(env, 'TEMPORAL_DEPLOYMENT_NAME');
  // The server refuses '.' and ':' in a deployment name (they delimit version strings).
  if (deploymentName !== undefined && /[.:]/.test(deploymentName))
    throw new ConfigError(`TEMPORAL_DEPLOYMENT_NAME must not contain '.' or ':', got "${deploymentName}"`);
  const versioning = bool(env, 'TEMPORAL_WORKER_VERSIONING', false);
  if (versioning) {
    if (deploymentName === undefined) throw new ConfigError('TEMPORAL_DEPLOYMENT_NAME must be set when TEMPORAL_WORKER_VERSIONING is true');
    if (buildId === undefined) throw new ConfigError('TEMPORAL_WORKER_BUILD_ID must be set when TEMPORAL_WORKER_VERSIONING is true');
  } else if (deploymentName !== undefined) {
    // Ignoring it would look like versioning is on while the server routes nothing by it.
    throw new ConfigError('TEMPORAL_WORKER_VERSIONING=true must be set when TEMPORAL_DEPLOYMENT_NAME is set');
  }
  return buildId === undefined ? undefined : { buildId, deploymentName: versioning ? deploymentName : undefined };
}

export function temporalConfig(env: Env, cwd: string): TemporalConfig {
  const uiPort = int(env, 'TEMPORAL_UI_PORT', 8233, 1, 65535);
  const tlsFiles = temporalTlsFiles(env, cwd);
  const anyTlsFile = tlsFiles.clientCert !== undefined || tlsFiles.caPath !== undefined || tlsFiles.serverName !== undefined;
  const tls = bool(env, 'TEMPORAL_TLS', anyTlsFile);
  if (!tls && anyTlsFile) {
    const set = ['TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_SERVER_NAME'].find((n) => str(env, n) !== undefined);
    throw new ConfigError(`TEMPORAL_TLS is false but ${set} is set: set TEMPORAL_TLS=true (or leave it unset)`);
  }
  const metricsAddr = str(env, 'TEMPORAL_SDK_METRICS_ADDRESS', '127.0.0.1:9464');
  return {
    address: hostPort(env, 'TEMPORAL_ADDRESS', '127.0.0.1:7233'),
    namespace: str(env, 'TEMPORAL_NAMESPACE', 'default'),
    apiKey: str(env, 'TEMPORAL_API_KEY'),
    tls,
    tlsFiles,
    workerBuild: workerBuild(env),
    embedded: bool(env, 'TEMPORAL_EMBEDDED', true),
    uiPort,
    uiUrl: url(env, 'TEMPORAL_UI_URL') ?? `http://127.0.0.1:${uiPort}/`,
    sdkMetricsAddress: metricsAddr === 'off' ? undefined : hostPort(env, 'TEMPORAL_SDK_METRICS_ADDRESS', '127.0.0.1:9464'),
    workerMetricsAddress: str(env, 'WORKER_METRICS_ADDRESS') === 'off' ? undefined : hostPort(env, 'WORKER_METRICS_ADDRESS', '127.0.0.1:9465'),
    workerMemoryMb: int(env, 'WORKER_MEMORY_MB', 1024, 512, 1_048_576), // 1024: workers/cache-budget.ts DEFAULT_WORKER_MEMORY_MB
  };
}
