// deploy/compose.yaml as Compose sees it, for tests/integration/compose-stack.test.ts: interpolated
// with deploy/compose.env.example's values (the empty, required ones filled in), and the facts the
// checks compare: each service's env, mounts and command, and the ports it listens on, read from
// its own settings (leadflow's through the real config loader).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, type Config } from '../../config/index.js';
import { ROOT } from './cli.js';

export const DEPLOY = path.join(ROOT, 'deploy');
export const read = (rel: string) => fs.readFileSync(path.join(DEPLOY, rel), 'utf8');
export const yaml = (rel: string) => parse(read(rel), { merge: true }) as Record<string, unknown>;

export type Env = Record<string, string>;
export interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Env | string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown };
  restart?: string;
}
export type Mount = { source: string; target: string; bind: boolean };

// Compose's interpolation (compose-go template rules): $$, $NAME, ${NAME}, ${NAME[:]-|?|+arg}.
export function interpolate(value: unknown, env: Env, missing: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, missing));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing)]));
  if (typeof value !== 'string') return value;
  return value.replace(
    /\$(?:(\$)|\{([A-Za-z_]\w*)(?:(:?)([-?+])([^}]*))?\}|([A-Za-z_]\w*))/g,
    (_m: string, dollar?: string, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (dollar) return '$';
      const key = name ?? bare ?? '';
      const v = env[key];
      const present = colon ? v !== undefined && v !== '' : v !== undefined;
      if (op === '-') return present ? v! : (arg ?? '');
      if (op === '+') return present ? (arg ?? '') : '';
      if (op === '?' && !present) missing.add(key);
      return v ?? '';
    },
  );
}

// deploy/compose.env.example: active lines are the required values (empty, to fill in), `# NAME=` the optional ones.
const example = read('compose.env.example');
export const required = [...example.matchAll(/^([A-Z_][A-Z0-9_]*)=(.*)$/gm)].map((m) => m[1]!);
export const documented = new Set([...example.matchAll(/^#?\s*([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
export const filled: Env = Object.fromEntries(required.map((k) => [k, randomBytes(24).toString('hex')]));

export const raw = yaml('compose.yaml');
export const missingWithExample = new Set<string>();
export const model = interpolate(raw, filled, missingWithExample) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
export const services = model.services;
export const svc = (name: string): Service => services[name] ?? assert.fail(`no service ${name}`);
export const envOf = (s: Service): Env =>
  Array.isArray(s.environment) ? Object.fromEntries(s.environment.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])) : { ...s.environment };
export const commandOf = (s: Service): string => (Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? ''));
export const mountsOf = (s: Service): Mount[] =>
  (s.volumes ?? []).map((v) => {
    const [source = '', target = ''] = v.split(':');
    return { source, target, bind: source.startsWith('.') || source.startsWith('/') };
  });
/** The container path a repository file is mounted at in a service. */
export const mountOf = (s: Service, repoRel: string): string =>
  (mountsOf(s).find((x) => x.bind && path.resolve(DEPLOY, x.source) === path.join(ROOT, repoRel)) ?? assert.fail(`${repoRel} is not mounted`)).target;
export const hostPort = (s: string): [string, number] => {
  const m = /^(.*):(\d+)$/.exec(s) ?? assert.fail(`"${s}" is not host:port`);
  return [m[1]!, Number(m[2])];
};
export const reachable = (host: string) => !/^(127\.|localhost$|\[?::1\]?$)/.test(host);

// The image's ENV, which the services' environment extends.
const envLines = [
  ...read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .matchAll(/^ENV\s+(.+)$/gm),
]
  .map((m) => m[1]!)
  .join(' ');
export const imageEnv: Env = Object.fromEntries([...envLines.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1]!, m[2]!]));
export const leadflow = ['migrate', 'api', 'worker'];
export const leadflowEnv = (name: string): Env => ({ ...imageEnv, ...envOf(svc(name)) });
export const leadflowConfig = (name: string): Readonly<Config> => loadConfig(leadflowEnv(name), '/app');

export const temporalConfig = fs.readFileSync(path.join(DEPLOY, 'temporal', 'config.yaml'), 'utf8');
export const templateDefault = (name: string): string =>
  (new RegExp(`default "([^"]+)" \\(env "${name}"\\)`).exec(temporalConfig) ?? assert.fail(`deploy/temporal/config.yaml has no default for ${name}`))[1]!;

/** The ports a service listens on where other containers reach it, from its own settings. */
function listenPorts(name: string): Set<number> {
  const s = svc(name);
  const env = envOf(s);
  const ports = new Set<number>();
  const address = (a: string | undefined) => {
    if (a === undefined) return;
    const [host, port] = hostPort(a);
    if (reachable(host)) ports.add(port);
  };
  if (s.build !== undefined) {
    const c = leadflowConfig(name);
    const role = commandOf(s);
    if (role === 'api') address(`${c.api.host}:${c.api.port}`);
    if (role === 'worker') [c.temporal.sdkMetricsAddress, c.temporal.workerMetricsAddress].forEach(address);
  }
  for (const k of ['TEMPORAL_METRICS_ADDRESS', 'MP_SMTP_BIND_ADDR', 'MP_UI_BIND_ADDR']) address(env[k]);
  for (const k of ['TEMPORAL_UI_PORT', 'GF_SERVER_HTTP_PORT']) if (env[k] !== undefined) ports.add(Number(env[k]));
  address(/--web\.listen-address=(\S+)/.exec(commandOf(s))?.[1]);
  if (s.image?.startsWith('temporalio/server:') && reachable(env.TEMPORAL_BIND_IP ?? '127.0.0.1')) {
    const base = Number(env.TEMPORAL_PORT_BASE ?? templateDefault('TEMPORAL_PORT_BASE'));
    ports.add(base).add(base + 10); // frontend gRPC and HTTP (config.yaml)
  }
  if (s.image?.startsWith('postgres:')) ports.add(Number(env.PGPORT ?? 5432)); // the image's default
  return ports;
}
export function assertListens(service: string, port: number, what: string) {
  assert.ok(services[service], `${what}: ${service} is not a service`);
  assert.ok(listenPorts(service).has(port), `${what}: ${service} does not listen on ${port} (it does on ${[...listenPorts(service)].join(', ')})`);
}
