// Runs the real `leadflow` CLI as a subprocess with a clean environment (no provider
// variables leak in from the developer's shell).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_LEAD_ID_SECRET, TEST_PAYLOAD_KEYS } from './codec.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'bin', 'leadflow.mjs');

const PROVIDER_VARS =
  /^(DATABASE_URL|TEMPORAL_|API_|IMAP_|SMTP_|SENDGRID_|TWILIO_|OPENAI_|WORKER_|LEADFLOW_DATA_DIR|LOG_LEVEL|PAYLOAD_ENCRYPTION_KEYS|LEAD_ID_SECRET)/;

export function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !PROVIDER_VARS.test(k)));
  // The test processes' payload keys: a spawned worker and the test's own client read each other's payloads.
  return {
    ...base,
    LOG_LEVEL: 'warn',
    TEMPORAL_SDK_METRICS_ADDRESS: 'off',
    WORKER_METRICS_ADDRESS: 'off',
    PAYLOAD_ENCRYPTION_KEYS: TEST_PAYLOAD_KEYS,
    LEAD_ID_SECRET: TEST_LEAD_ID_SECRET,
    ...extra,
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cliEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`leadflow ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with everything the child printed once `text` appears; rejects on exit or timeout. */
export async function waitForOutput(child: ChildProcess, text: string, timeoutMs: number): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`leadflow exited ${code} early:\n${out}`));
    });
  });
}

export { freePort } from '../../temporal/net.js';
