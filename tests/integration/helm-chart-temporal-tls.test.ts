// The chart's Temporal mTLS and worker build settings (deploy/helm/leadflow: temporal.tls.*,
// worker.buildId) read back the way the pods will read them: each rendered environment through the
// config loader, each TLS file it names traced to a read-only mount of the operator's Secret.
// Beside tests/integration/helm-chart.test.ts, which lints and validates every value set
// (ci/mtls-values.yaml and the `mtls` scenario among them) offline against Kubernetes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../config/index.js';
import { ensureHelm, ensureKubeSchemaValidator } from '../../temporal/provision/helm.js';
import * as h from '../helpers/helm-chart.js';
import { minimal, scenarios } from '../helpers/helm-scenarios.js';

const log = (m: string) => process.stderr.write(`[provision] ${m}\n`);

describe('helm chart: Temporal mTLS and the workers build ID', () => {
  let chart: h.Chart;
  const rendered = {} as Record<'minimal' | 'mtls', h.Rendered>;
  const { deployments } = h;

  before(
    async () => {
      const [helmBin, validator] = await Promise.all([ensureHelm(log), ensureKubeSchemaValidator(log)]);
      chart = new h.Chart(helmBin, validator);
      rendered.minimal = await chart.render([h.valuesFile(scenarios.minimal)]);
      rendered.mtls = await chart.render([h.valuesFile(scenarios.mtls)]);
    },
    { timeout: 30 * 60_000 },
  );
  after(h.removeValuesFiles);

  test('Temporal mTLS: every pod mounts the Secret read-only where TEMPORAL_TLS_* point; no key material can reach a ConfigMap', async () => {
    const r = rendered.mtls;
    for (const w of [...r.all<h.Workload>('Deployment'), ...r.all<h.Workload>('Job')]) {
      const c = h.container(w);
      const { tls, tlsFiles } = loadConfig(r.env(c), os.tmpdir()).temporal;
      assert.deepEqual([tls, tlsFiles.serverName], [true, 'temporal.prod.internal'], w.metadata.name);
      // Each file the code reads at connect time is a key of the Secret, on a read-only mount of it.
      for (const file of [tlsFiles.clientCert?.certPath, tlsFiles.clientCert?.keyPath, tlsFiles.caPath]) {
        const mount = file === undefined ? undefined : c.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
        assert.ok(file !== undefined && mount?.readOnly === true, `${w.metadata.name}: ${file} on a read-only mount`);
        const secret = w.spec.template.spec.volumes?.find((v) => v.name === mount.name)?.secret;
        assert.equal(secret?.secretName, 'temporal-client-tls');
        assert.ok(secret.items?.some((i) => i.path === path.relative(mount.mountPath, file) && i.key === i.path));
      }
    }
    assert.doesNotMatch(r.text, /BEGIN|tls\.key:/, 'the chart holds no certificate or key, only their paths');
    assert.ok(!Object.keys(r.secretData('leadflow')).some((k) => /TLS/i.test(k)), "nothing of it in the chart's Secret");
    // The places an operator might paste a key are refused.
    const pem = '-----BEGIN PRIVATE KEY-----';
    for (const [values, refusal] of [
      [{ config: { env: { TEMPORAL_TLS_KEY: pem } } }, /config\.env\.TEMPORAL_TLS_KEY looks secret/],
      [{ config: { env: { TEMPORAL_TLS_KEY_PATH: '/k' } } }, /config\.env\.TEMPORAL_TLS_KEY_PATH is set by the chart/],
      [{ temporal: { tls: { key: pem } } }, /additional properties 'key' not allowed/],
    ] as const)
      assert.match(await chart.refusal(h.merge(minimal, values)), refusal);
    assert.deepEqual(
      rendered.minimal.all<h.Workload>('Deployment').map((w) => w.spec.template.spec.volumes?.length),
      [2, 2],
      'no TLS volume unasked',
    );
  });

  test("TEMPORAL_WORKER_BUILD_ID: the image tag (the chart's appVersion by default), or worker.buildId", async () => {
    const buildId = (r: h.Rendered) => loadConfig(r.env(h.container(deployments(r).worker)), os.tmpdir()).temporal.workerBuild?.buildId;
    const appVersion = /^appVersion: '(.+)'$/m.exec(fs.readFileSync(path.join(h.CHART, 'Chart.yaml'), 'utf8'))?.[1];
    assert.deepEqual([buildId(rendered.minimal), buildId(rendered.mtls)], [appVersion, '0.4.2']);
    assert.equal(buildId(await chart.render([h.valuesFile(scenarios.mtls)], ['worker.buildId=2025.06.01-4f2c1ab'])), '2025.06.01-4f2c1ab');
    await assert.rejects(chart.template([h.valuesFile(minimal)], ['worker.buildId=__unversioned__']), /\/worker\/buildId/);
  });
});
