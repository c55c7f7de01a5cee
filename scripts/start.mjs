// `npm start`: install what is missing, then run the whole product locally (`leadflow up`).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureDeps, ROOT } from './deps.mjs';

ensureDeps();
const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'leadflow.mjs'), 'up', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; forward TERM for supervisors.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
