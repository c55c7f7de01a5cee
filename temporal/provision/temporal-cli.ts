// Finds or builds the Temporal CLI, whose `server start-dev` is the dev server used by
// `leadflow up` and by TestWorkflowEnvironment.createLocal. The SDK's own fallback downloads a
// release binary from temporal.download / GitHub, which CI here cannot reach; building the CLI
// from source through the Go module proxy is the route that works offline-from-GitHub.
import path from 'node:path';
import { cacheDir } from './cache.js';
import { findOnPath, isExecutableFile, noLog, run, type Log } from './exec.js';
import { ensureGoTool, type GoTool } from './go-tool.js';

export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** Built by ensureGoTool into `<cacheDir>/bin/temporal`. */
const TEMPORAL_CLI_TOOL: GoTool = { bin: 'temporal', pkg: TEMPORAL_CLI_MODULE, module: 'github.com/temporalio/cli', version: `v${TEMPORAL_CLI_VERSION}` };

export type TemporalCliSource = 'env' | 'path' | 'cache' | 'go-install';
export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

/** `<cacheDir>/bin/temporal`, where `go install` puts the binary. */
export function cachedTemporalCliPath(): string {
  return path.join(cacheDir(), 'bin', 'temporal');
}

/**
 * Confirms that `exe` really is the Temporal CLI: other tools are called `temporal` too, and a
 * half-written binary from an interrupted build must not be trusted.
 */
async function isTemporalCli(exe: string): Promise<boolean> {
  try {
    const res = await run(exe, ['--version'], { timeoutMs: 15_000 });
    return res.code === 0 && res.output.includes('temporal version');
  } catch {
    return false;
  }
}

/**
 * The cached binary is used when it is the CLI and, if Go is here to tell (a source build
 * reports itself as "0.0.0-DEV", so `--version` cannot), was built from the pinned module
 * version: bumping TEMPORAL_CLI_VERSION then rebuilds instead of silently reusing the old one.
 */
async function usableCachedCli(cached: string, go: string | null, log: Log): Promise<boolean> {
  if (!isExecutableFile(cached) || !(await isTemporalCli(cached))) return false;
  if (go === null) return true;
  const info = await run(go, ['version', '-m', cached], { timeoutMs: 15_000 }).catch(() => null);
  if (info === null || info.code !== 0) return true; // not a Go build-info binary: trust --version
  const mod = /^\s*mod\s+github\.com\/temporalio\/cli\s+(\S+)/m.exec(info.output);
  if (mod === null || mod[1] === `v${TEMPORAL_CLI_VERSION}`) return true;
  log(`cached Temporal CLI was built from ${mod[1]}, want v${TEMPORAL_CLI_VERSION}: rebuilding`);
  return false;
}

/**
 * Resolution order: $TEMPORAL_CLI, `temporal` on PATH, the cache, then `go install` into the
 * cache. Returns null when nothing worked, so the caller can fall back to the SDK's download.
 * Throws only when $TEMPORAL_CLI is set but unusable: an explicit setting that is silently
 * ignored would hide a broken CI configuration.
 */
export async function ensureTemporalCli(log: Log = noLog): Promise<TemporalCli | null> {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isExecutableFile(fromEnv)) {
      throw new Error(`TEMPORAL_CLI is set to "${fromEnv}", which is not an existing executable file`);
    }
    return { path: fromEnv, source: 'env' };
  }

  const onPath = findOnPath('temporal');
  if (onPath !== null) {
    if (await isTemporalCli(onPath)) return { path: onPath, source: 'path' };
    log(`ignoring ${onPath}: \`temporal --version\` does not identify it as the Temporal CLI`);
  }

  const cached = cachedTemporalCliPath();
  const go = findOnPath('go');
  if (await usableCachedCli(cached, go, log)) return { path: cached, source: 'cache' };
  if (go === null) {
    log('Temporal CLI not found (no $TEMPORAL_CLI, none on PATH or in the cache) and Go is not installed to build it');
    return null;
  }
  try {
    const built = await ensureGoTool(TEMPORAL_CLI_TOOL, log);
    if (!(await isTemporalCli(built))) throw new Error(`${built} does not answer \`--version\` as the Temporal CLI`);
    return { path: built, source: 'go-install' };
  } catch (err) {
    log((err as Error).message);
    return null;
  }
}
