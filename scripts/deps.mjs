// Installs the npm packages when they are missing or older than package-lock.json, so the
// README's two commands work on a fresh clone with nothing typed first. Node built-ins only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function ensureDeps() {
  const lock = path.join(ROOT, 'package-lock.json');
  const stamp = path.join(ROOT, 'node_modules', '.leadflow-lock-sha256');
  const want = createHash('sha256').update(fs.readFileSync(lock)).digest('hex');
  const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : null;
  if (have === want) return;
  console.error('[leadflow] installing npm packages (npm ci)...');
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) {
    console.error('[leadflow] npm ci failed; see the output above');
    process.exit(res.status ?? 1);
  }
  fs.writeFileSync(stamp, want + '\n');
}
