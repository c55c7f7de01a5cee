// mTLS to Temporal through the code's own connection paths (temporal/connection.ts: the worker's
// NativeConnection and the API's and CLI's Client), configured only by TEMPORAL_TLS_* as the
// chart sets them, against Temporal's own server whose frontend requires client certificates
// (tests/helpers/temporal-mtls.ts: a fresh CA, server and client certificates from openssl).
// The handshake is proven both ways: with the configured pair every call succeeds; the same
// configuration without the pair is refused, and so is a pair from a CA the server does not trust,
// so the success can only come from the configured certificate being presented and verified. Bare
// TLS connections read the server's reasons (CertificateRequired, UnknownCA) deterministically.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../config/index.js';
import { connectClient, connectWorkerConnection } from '../../temporal/connection.js';
import { ensureGoTool } from '../../temporal/provision/go-tool.js';
import { TEMPORAL_SERVER, TEMPORAL_SERVER_VERSION } from '../../temporal/provision/temporal-server.js';
import { makePki, SERVER_NAME, serverVerdict, startMtlsServer, type MtlsServer, type Pki } from '../helpers/temporal-mtls.js';

const log = (m: string) => process.stderr.write(`[provision] ${m}\n`);

describe('mTLS to Temporal (its own server, client certificates required)', () => {
  let pki: Pki;
  let server: MtlsServer;

  before(
    async () => {
      // Built once into the cache (minutes on a cold cache); the test itself takes seconds.
      const serverPath = await ensureGoTool(TEMPORAL_SERVER, log);
      pki = await makePki();
      server = await startMtlsServer(serverPath, pki);
    },
    { timeout: 30 * 60_000 },
  );
  after(async () => {
    await server?.stop();
    if (pki !== undefined) fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  /** The Temporal config of a pod with these TEMPORAL_TLS_* settings. */
  const temporal = (tlsEnv: Record<string, string>) =>
    loadConfig({ TEMPORAL_ADDRESS: server.address, TEMPORAL_EMBEDDED: 'false', ...tlsEnv }, pki.dir).temporal;
  const mtls = () => ({
    TEMPORAL_TLS_CERT_PATH: pki.clientCrt,
    TEMPORAL_TLS_KEY_PATH: pki.clientKey,
    TEMPORAL_TLS_CA_PATH: pki.ca,
    TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
  });
  const withoutPair = () => {
    const { TEMPORAL_TLS_CERT_PATH: _c, TEMPORAL_TLS_KEY_PATH: _k, ...rest } = mtls();
    return rest;
  };

  test('the worker connection and the client complete the handshake with the configured pair and call the server', async () => {
    // The frontend may accept TCP a moment before it serves: retry only the first connection.
    const deadline = Date.now() + 15_000;
    let native: Awaited<ReturnType<typeof connectWorkerConnection>> | undefined;
    while (native === undefined) {
      try {
        native = await connectWorkerConnection(temporal(mtls()));
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${(err as Error).message}\nserver:\n${server.output.slice(-20).join('\n')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    try {
      const info = await native.workflowService.getSystemInfo({});
      assert.equal(`v${info.serverVersion}`, TEMPORAL_SERVER_VERSION, 'answered by the mTLS server');
    } finally {
      await native.close();
    }
    const client = await connectClient(temporal(mtls()));
    try {
      const info = await client.workflowService.getSystemInfo({});
      assert.equal(`v${info.serverVersion}`, TEMPORAL_SERVER_VERSION);
    } finally {
      await client.connection.close();
    }
  });

  test('without the pair the server refuses the connection; a pair from another CA is refused too', async () => {
    // The code's own connections, with the first test's settings minus the pair (or with the rogue one).
    const rogue = { ...mtls(), TEMPORAL_TLS_CERT_PATH: pki.rogueCrt, TEMPORAL_TLS_KEY_PATH: pki.rogueKey };
    // In TLS 1.3 the client's handshake ends before the server has checked its certificate, so the
    // refusal reaches the client as the alert, a closed connection or, when the client was already
    // writing its first request, a broken pipe or reset: which one is a race, all are refusals.
    const cut = 'connection closed|BrokenPipe|broken pipe|ConnectionReset';
    await assert.rejects(connectWorkerConnection(temporal(withoutPair())), new RegExp(`CertificateRequired|${cut}`));
    await assert.rejects(connectWorkerConnection(temporal(rogue)), new RegExp(`UnknownCA|BadCertificate|${cut}`));
    // The client (grpc-js) sees the refusal as a connection that never becomes ready.
    await assert.rejects(connectClient(temporal(withoutPair())), /Failed to connect before the deadline/);
    // The server's reasons, from bare TLS connections: it demands a certificate, verifies its
    // issuer, and starts HTTP/2 only for the configured pair.
    assert.equal(await serverVerdict(server.address, pki), 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    assert.equal(await serverVerdict(server.address, pki, { crt: pki.rogueCrt, key: pki.rogueKey }), 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
    assert.equal(await serverVerdict(server.address, pki, { crt: pki.clientCrt, key: pki.clientKey }), 'accepted');
  });

  test('TEMPORAL_TLS_CA_PATH and TEMPORAL_TLS_SERVER_NAME are what make the server certificate acceptable', async () => {
    const { TEMPORAL_TLS_SERVER_NAME: _n, ...noName } = mtls();
    await assert.rejects(connectWorkerConnection(temporal(noName)), /NotValidForName/);
    const { TEMPORAL_TLS_CA_PATH: _ca, ...noCa } = mtls();
    await assert.rejects(connectWorkerConnection(temporal(noCa)), /UnknownIssuer/);
  });
});
