// A throwaway PKI made with openssl and Temporal's own server (the v1.32.1 binary the cluster tests
// build) with its frontend requiring client certificates: in-memory SQLite, one shard, every
// service on loopback. The Temporal CLI dev server has no TLS flags, so this is the smallest real
// Temporal that does mTLS. Used by tests/integration/temporal-mtls.test.ts.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { freeFixedPort, portOpen } from '../../temporal/net.js';

const execFileAsync = promisify(execFile);

/** The name on the server's certificate: not the address it is reached at (127.0.0.1). */
export const SERVER_NAME = 'temporal.leadflow.test';

export interface Pki {
  dir: string;
  ca: string;
  serverCrt: string;
  serverKey: string;
  clientCrt: string;
  clientKey: string;
  /** A client pair with the same subject, signed by a CA the server does not trust. */
  rogueCrt: string;
  rogueKey: string;
}

const openssl = (args: string[]) => execFileAsync('openssl', args, { timeout: 30_000 });

/** A P-256 key and certificate, self-signed (a CA) or signed by `ca`. */
async function issue(dir: string, name: string, subject: string, ext: string[], ca?: { crt: string; key: string }): Promise<{ crt: string; key: string }> {
  const crt = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  const signer = ca === undefined ? [] : ['-CA', ca.crt, '-CAkey', ca.key];
  await openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${subject}`, '-keyout', key, '-out', crt, ...signer, ...ext.flatMap((e) => ['-addext', e]),
  ]); // prettier-ignore
  return { crt, key };
}

export async function makePki(): Promise<Pki> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-mtls-'));
  const leaf = ['basicConstraints=critical,CA:FALSE'];
  const ca = await issue(dir, 'ca', 'leadflow test CA', []);
  const rogueCa = await issue(dir, 'rogue-ca', 'leadflow test CA', []);
  // The server's pair also authenticates the server's own system worker to its frontend.
  const server = await issue(dir, 'server', SERVER_NAME, [...leaf, `subjectAltName=DNS:${SERVER_NAME}`, 'extendedKeyUsage=serverAuth,clientAuth'], ca);
  const client = await issue(dir, 'client', 'leadflow-worker', [...leaf, 'extendedKeyUsage=clientAuth'], ca);
  const rogue = await issue(dir, 'rogue', 'leadflow-worker', [...leaf, 'extendedKeyUsage=clientAuth'], rogueCa);
  return {
    dir,
    ca: ca.crt,
    serverCrt: server.crt,
    serverKey: server.key,
    clientCrt: client.crt,
    clientKey: client.key,
    rogueCrt: rogue.crt,
    rogueKey: rogue.key,
  };
}

export interface MtlsServer {
  address: string;
  output: string[];
  stop(): Promise<void>;
}

function config(pki: Pki, ports: number[]): string {
  const [frontend, history, matching, worker, http, ...membership] = ports as [number, number, number, number, number, ...number[]];
  const sqlite = (db: string) => ({
    sql: {
      pluginName: 'sqlite',
      databaseName: db,
      connectAddr: 'localhost',
      connectProtocol: 'tcp',
      connectAttributes: { mode: 'memory', cache: 'private' },
      maxConns: 1,
      maxIdleConns: 1,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number) => ({ grpcPort, membershipPort, bindOnIP: '127.0.0.1' });
  const trustOurCa = { serverName: SERVER_NAME, rootCaFiles: [pki.ca] };
  // JSON is YAML: the server reads this as its config file.
  return JSON.stringify({
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'sqlite-default',
      visibilityStore: 'sqlite-visibility',
      numHistoryShards: 1,
      datastores: { 'sqlite-default': sqlite('default'), 'sqlite-visibility': sqlite('default') },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      tls: {
        frontend: {
          server: { certFile: pki.serverCrt, keyFile: pki.serverKey, requireClientAuth: true, clientCaFiles: [pki.ca] },
          client: trustOurCa,
        },
        systemWorker: { certFile: pki.serverCrt, keyFile: pki.serverKey, client: trustOurCa },
      },
    },
    services: {
      frontend: { rpc: { ...rpc(frontend, membership[0]!), httpPort: http } },
      history: { rpc: rpc(history, membership[1]!) },
      matching: { rpc: rpc(matching, membership[2]!) },
      worker: { rpc: rpc(worker, membership[3]!) },
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${frontend}`, httpAddress: `127.0.0.1:${http}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
  });
}

/** Starts the server and resolves once its frontend accepts TCP (the TLS checks are the test's). */
export async function startMtlsServer(serverPath: string, pki: Pki, timeoutMs = 20_000): Promise<MtlsServer> {
  const ports: number[] = [];
  while (ports.length < 9) {
    const p = await freeFixedPort();
    if (!ports.includes(p)) ports.push(p);
  }
  const file = path.join(pki.dir, 'temporal.yaml');
  fs.writeFileSync(file, config(pki, ports));
  const child: ChildProcess = spawn(serverPath, ['--config-file', file, '--allow-no-auth', 'start'], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen(ports[0]!))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Temporal server did not listen on ${ports[0]}:\n${output.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { address: `127.0.0.1:${ports[0]}`, output, stop };
}

/**
 * What the server makes of a bare TLS connection presenting `pair` (or none): 'accepted' when it
 * starts HTTP/2 on it (its SETTINGS frame arrives), else the alert it sent, as Node's error code.
 * With TLS 1.3 the server checks the client's certificate after the client's handshake is done,
 * so an RPC on a refused connection may see only "connection closed"; a bare socket waits for the
 * server's word, which is why the reasons are read here.
 */
export function serverVerdict(address: string, pki: Pki, pair?: { crt: string; key: string }): Promise<string> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(port),
      servername: SERVER_NAME,
      ca: fs.readFileSync(pki.ca),
      ALPNProtocols: ['h2'],
      ...(pair !== undefined && { cert: fs.readFileSync(pair.crt), key: fs.readFileSync(pair.key) }),
    });
    const done = (verdict: string) => {
      socket.destroy();
      resolve(verdict);
    };
    socket.once('data', () => done('accepted'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    socket.once('close', () => done('closed without a word'));
    socket.setTimeout(10_000, () => done('no answer'));
  });
}
