// Where provisioned tools (Temporal CLI binary, Java test-server classpath, CDS archive) live.
// Outside the work tree on purpose: a fresh clone in CI must not lose a multi-minute Go build,
// and the machine keeps $HOME between sessions while the work tree is laid anew.
import os from 'node:os';
import path from 'node:path';

export function cacheDir(): string {
  const explicit = process.env.LEADFLOW_CACHE_DIR;
  if (explicit !== undefined && explicit !== '') return path.resolve(explicit);
  const xdg = process.env.XDG_CACHE_HOME;
  // XDG says relative values are invalid and must be ignored.
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'leadflow');
}
