// Builds a pinned Go command from the Go module proxy into the provisioning cache (`go install`
// with GOBIN there) and reuses it on later runs. Used for the tools that only ship as GitHub
// release binaries elsewhere, which this machine and CI cannot reach: Temporal's own server and
// SQL schema tool, and helm. A cached binary is trusted only when `go version -m` says it was
// built from the pinned module version, so bumping a pin rebuilds instead of reusing.
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir } from './cache.js';
import { findOnPath, isExecutableFile, noLog, run, tail, type Log } from './exec.js';
import { withLock } from './lock.js';

export interface GoTool {
  /** The binary's name, as `go install` writes it (the last element of the package path). */
  bin: string;
  /** The package to install, e.g. `go.temporal.io/server/cmd/server`. */
  pkg: string;
  /** Its module, as `go version -m` reports it (`mod` line). */
  module: string;
  /** The pinned version, with its `v`. */
  version: string;
}

/** `<cacheDir>/bin/<bin>`. */
export const goToolPath = (tool: GoTool): string => path.join(cacheDir(), 'bin', tool.bin);

async function builtFromPin(exe: string, go: string, tool: GoTool): Promise<boolean> {
  if (!isExecutableFile(exe)) return false;
  const info = await run(go, ['version', '-m', exe], { timeoutMs: 15_000 }).catch(() => null);
  if (info === null || info.code !== 0) return false;
  const escaped = tool.module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*mod\\s+${escaped}\\s+${tool.version.replace(/\./g, '\\.')}\\s`, 'm').test(info.output);
}

/**
 * The tool's path, built when missing or built from another version. Throws, saying what is
 * missing, when Go is not installed or the build fails: callers need the tool, there is no fallback.
 * `nice`: build at the lowest CPU priority (a background build beside running tests).
 */
export async function ensureGoTool(tool: GoTool, log: Log = noLog, opts: { nice?: boolean } = {}): Promise<string> {
  const target = goToolPath(tool);
  const go = findOnPath('go');
  if (go === null) throw new Error(`${tool.bin} is not built and Go is not installed to build it (go install ${tool.pkg}@${tool.version})`);
  if (await builtFromPin(target, go, tool)) return target;
  return withLock(
    path.join(cacheDir(), 'locks', `go-${tool.bin}`),
    async () => {
      if (await builtFromPin(target, go, tool)) return target; // built by another process meanwhile
      await goInstall(go, tool, target, log, opts.nice === true);
      if (!(await builtFromPin(target, go, tool))) throw new Error(`go install ${tool.pkg}@${tool.version} succeeded but ${target} is not that build`);
      return target;
    },
    { log, timeoutMs: 60 * 60_000 },
  );
}

async function goInstall(go: string, tool: GoTool, target: string, log: Log, nice: boolean): Promise<void> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const spec = `${tool.pkg}@${tool.version}`;
  log(`building ${tool.bin}: go install ${spec} (GOBIN=${path.dirname(target)}); a first build takes minutes`);
  const started = Date.now();
  // `-v` names each package compiled and `go: downloading` each module fetched: the only progress
  // signals, summarised every 30 s; any other line (an error) is passed through.
  let built = 0;
  let downloaded = 0;
  let lastReport = Date.now();
  const onLine = (line: string) => {
    if (line.startsWith('go: downloading ')) downloaded++;
    else if (!line.includes(' ') && line.includes('/')) built++;
    else return log(`  ${line}`);
    if (Date.now() - lastReport < 30_000) return;
    lastReport = Date.now();
    log(`  ... ${tool.bin}: ${Math.round((Date.now() - started) / 1000)} s, ${downloaded} modules downloaded, ${built} packages compiled`);
  };
  const niceBin = nice ? findOnPath('nice') : null;
  const [cmd, args] = niceBin === null ? [go, ['install', '-v', spec]] : [niceBin, ['-n', '19', go, 'install', '-v', spec]];
  const res = await run(cmd, args, { env: { ...process.env, GOBIN: path.dirname(target) }, timeoutMs: 60 * 60_000, onLine });
  if (res.code !== 0) throw new Error(`go install ${spec} failed (${res.signal ?? `exit ${res.code}`}):\n${tail(res.output)}`);
  log(`built ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
}
