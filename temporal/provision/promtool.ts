// Provisions promtool, which checks and unit-tests the Prometheus alert rules in
// deploy/prometheus/. Debian's `prometheus` package ships it, and Debian's archive is a registry
// this machine and CI reach, so a fresh machine gets it with apt-get (we run as root there).
// Already on PATH: one stat, no apt at all. Under the provisioning lock so two test processes
// never run apt-get at once (dpkg's own lock would fail the second, not make it wait).
import path from 'node:path';
import { cacheDir } from './cache.js';
import { findOnPath, noLog, run, tail, type Log } from './exec.js';
import { withLock } from './lock.js';

export const PROMTOOL_PACKAGE = 'prometheus';

/** promtool's path; installs Debian's `prometheus` package when it is missing. Throws, saying what to do, when it cannot. */
export async function ensurePromtool(log: Log = noLog): Promise<string> {
  const found = findOnPath('promtool');
  if (found !== null) return found;
  const aptGet = findOnPath('apt-get');
  if (aptGet === null)
    throw new Error(
      `promtool is not on PATH and there is no apt-get to install it: install Prometheus' promtool (Debian/Ubuntu package "${PROMTOOL_PACKAGE}")`,
    );
  return withLock(
    path.join(cacheDir(), 'locks', 'promtool'),
    async () => {
      const again = findOnPath('promtool'); // another process installed it while we waited
      if (again !== null) return again;
      // noninteractive: no debconf prompt; no recommends: the exporters are not needed for promtool.
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      for (const args of [['update'], ['install', '-y', '--no-install-recommends', PROMTOOL_PACKAGE]]) {
        log(`apt-get ${args.join(' ')}`);
        const res = await run(aptGet, args, { env, timeoutMs: 10 * 60_000 });
        if (res.code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${res.code ?? res.signal}):\n${tail(res.output)}`);
      }
      const installed = findOnPath('promtool');
      if (installed === null) throw new Error(`apt-get installed ${PROMTOOL_PACKAGE} but promtool is still not on PATH`);
      return installed;
    },
    { log, timeoutMs: 15 * 60_000 },
  );
}
