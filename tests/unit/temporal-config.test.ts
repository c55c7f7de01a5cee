// TEMPORAL_TLS_* and the workers' build settings (config/temporal.ts): a half-set pair or a
// contradiction stops the config load naming the variable; the TLS files reach the SDK's `tls`
// option as read at connect time (temporal/connection.ts), and a bad file is reported by variable
// and path without its content.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '../../config/index.js';
import { tlsOptions } from '../../temporal/connection.js';

const rejects = (env: Record<string, string>, re: RegExp) =>
  assert.throws(
    () => loadConfig(env, '/srv/app'),
    (e: Error) => e instanceof ConfigError && re.test(e.message),
    JSON.stringify(env),
  );

describe('Temporal TLS settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-tls-config-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Stand-ins: only the PEM armour matters to the reader; the handshake test uses real ones.
  const KEY_BODY = 'c2VjcmV0LWtleS1tYXRlcmlhbC1uZXZlci1sb2dnZWQ=';
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const crt = file('tls.crt', '-----BEGIN CERTIFICATE-----\nY2xpZW50\n-----END CERTIFICATE-----\n');
  const key = file('tls.key', `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`);
  const ca = file('ca.crt', '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n');

  test('a certificate without its key, or a key without its certificate, fails naming the missing one', () => {
    rejects({ TEMPORAL_TLS_CERT_PATH: crt }, /^TEMPORAL_TLS_KEY_PATH must be set when TEMPORAL_TLS_CERT_PATH is set/);
    rejects({ TEMPORAL_TLS_KEY_PATH: key }, /^TEMPORAL_TLS_CERT_PATH must be set when TEMPORAL_TLS_KEY_PATH is set/);
    rejects({ TEMPORAL_TLS_CERT_PATH: crt, TEMPORAL_TLS_KEY_PATH: '  ' }, /^TEMPORAL_TLS_KEY_PATH must be set/);
  });

  test('TLS files with TEMPORAL_TLS=false, or a server name that is no host name, fail naming the variable', () => {
    rejects({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CERT_PATH: crt, TEMPORAL_TLS_KEY_PATH: key }, /^TEMPORAL_TLS is false but TEMPORAL_TLS_CERT_PATH is set/);
    rejects({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_PATH: ca }, /^TEMPORAL_TLS is false but TEMPORAL_TLS_CA_PATH is set/);
    rejects({ TEMPORAL_TLS_SERVER_NAME: 'https://temporal.internal' }, /^TEMPORAL_TLS_SERVER_NAME must be a host name/);
  });

  test('the pair, the CA and the server name load (relative paths from the working directory) and imply TLS', () => {
    const c = loadConfig(
      { TEMPORAL_TLS_CERT_PATH: 'certs/tls.crt', TEMPORAL_TLS_KEY_PATH: '/etc/t/tls.key', TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' },
      '/srv/app',
    );
    assert.equal(c.temporal.tls, true);
    assert.deepEqual(c.temporal.tlsFiles, {
      clientCert: { certPath: '/srv/app/certs/tls.crt', keyPath: '/etc/t/tls.key' },
      caPath: undefined,
      serverName: 'temporal.internal',
    });
    const plain = loadConfig({}, '/srv/app').temporal;
    assert.deepEqual([plain.tls, plain.tlsFiles], [false, { clientCert: undefined, caPath: undefined, serverName: undefined }]);
  });

  test('the files reach the SDK option as read, and the key never reaches a message or the printed config', async () => {
    const c = loadConfig({ TEMPORAL_TLS_CERT_PATH: crt, TEMPORAL_TLS_KEY_PATH: key, TEMPORAL_TLS_CA_PATH: ca, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' });
    const tls = await tlsOptions(c.temporal);
    assert.ok(typeof tls === 'object');
    assert.equal(tls.serverNameOverride, 'temporal.internal');
    assert.deepEqual(
      [tls.clientCertPair?.crt, tls.clientCertPair?.key, tls.serverRootCACertificate],
      [crt, key, ca].map((p) => fs.readFileSync(p)),
    );
    assert.ok(!JSON.stringify(describeConfig(c)).includes(KEY_BODY), 'describeConfig shows paths only');

    // TLS without files is the system CAs; no TLS and no API key is plaintext; an API key implies TLS.
    assert.equal(await tlsOptions(loadConfig({ TEMPORAL_TLS: 'true' }).temporal), true);
    assert.equal(await tlsOptions(loadConfig({}).temporal), undefined);
    assert.equal(await tlsOptions(loadConfig({ TEMPORAL_API_KEY: 'k' }).temporal), true);

    const failure = async (env: Record<string, string>) => {
      const err = await tlsOptions(loadConfig(env).temporal).then(
        () => assert.fail('expected a failure'),
        (e: Error) => e,
      );
      assert.ok(!err.message.includes(KEY_BODY), 'no key content in the message');
      return err.message;
    };
    // Swapped files: the key's file read as the certificate and the other way round.
    assert.match(await failure({ TEMPORAL_TLS_CERT_PATH: key, TEMPORAL_TLS_KEY_PATH: crt }), /^TEMPORAL_TLS_CERT_PATH: .*tls\.key holds no PEM certificate/);
    assert.match(await failure({ TEMPORAL_TLS_CERT_PATH: crt, TEMPORAL_TLS_KEY_PATH: crt }), /^TEMPORAL_TLS_KEY_PATH: .*tls\.crt holds no PEM private key/);
    assert.match(await failure({ TEMPORAL_TLS_CA_PATH: path.join(dir, 'missing.crt') }), /^TEMPORAL_TLS_CA_PATH: cannot read .*missing\.crt \(ENOENT\)/);
  });
});

describe('worker build settings', () => {
  test('a build ID alone labels the workers without versioning', () => {
    assert.deepEqual(loadConfig({ TEMPORAL_WORKER_BUILD_ID: '2025.06.1-abc123' }).temporal.workerBuild, {
      buildId: '2025.06.1-abc123',
      deploymentName: undefined,
    });
    assert.equal(loadConfig({}).temporal.workerBuild, undefined);
  });

  test('versioning is explicit and needs both the deployment name and the build ID', () => {
    const on = { TEMPORAL_WORKER_VERSIONING: 'true', TEMPORAL_DEPLOYMENT_NAME: 'leadflow', TEMPORAL_WORKER_BUILD_ID: 'v7' };
    assert.deepEqual(loadConfig(on).temporal.workerBuild, { buildId: 'v7', deploymentName: 'leadflow' });
    rejects({ ...on, TEMPORAL_DEPLOYMENT_NAME: '' }, /^TEMPORAL_DEPLOYMENT_NAME must be set when TEMPORAL_WORKER_VERSIONING is true/);
    rejects({ ...on, TEMPORAL_WORKER_BUILD_ID: '' }, /^TEMPORAL_WORKER_BUILD_ID must be set when TEMPORAL_WORKER_VERSIONING is true/);
    rejects(
      { TEMPORAL_DEPLOYMENT_NAME: 'leadflow', TEMPORAL_WORKER_BUILD_ID: 'v7' },
      /^TEMPORAL_WORKER_VERSIONING=true must be set when TEMPORAL_DEPLOYMENT_NAME is set/,
    );
    rejects({ ...on, TEMPORAL_DEPLOYMENT_NAME: 'lead.flow' }, /^TEMPORAL_DEPLOYMENT_NAME must not contain '\.' or ':'/);
    rejects({ TEMPORAL_WORKER_BUILD_ID: 'two words' }, /^TEMPORAL_WORKER_BUILD_ID must be 1-255 characters without spaces/);
    rejects({ TEMPORAL_WORKER_BUILD_ID: '__unversioned__' }, /^TEMPORAL_WORKER_BUILD_ID must be .*not starting with __/);
    rejects({ ...on, TEMPORAL_WORKER_VERSIONING: 'perhaps' }, /^TEMPORAL_WORKER_VERSIONING must be true or false/);
  });
});
