// The Helm chart (deploy/helm/leadflow) renders manifests a Kubernetes API server would accept and
// that run the real code the way it expects. Provisions helm (built from the Go module proxy) and
// an offline schema validator (kubernetes-validate's bundled schemas, the ServiceMonitor CRD),
// lints, renders the chart with several value sets, validates every object strictly against one
// Kubernetes version, and checks what matters against the code itself: the health and metrics
// routes the probes hit, the worker's shutdownGraceTime, the config loader and the key loaders.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { healthRoutes } from '../../api/routes/health.js';
import { metricsPlugin } from '../../api/plugins/metrics.js';
import { loadConfig } from '../../config/index.js';
import { inboxCredentialKeys } from '../../config/inbox-key.js';
import { payloadKeysFromConfig } from '../../temporal/data-converter.js';
import { leadIdSecret } from '../../temporal/lead-ids.js';
import { ensureHelm, ensureKubeSchemaValidator, KUBERNETES_VERSION } from '../../temporal/provision/helm.js';
import { unsubscribeSecret } from '../../wiring/services.js';
import { serveMetrics } from '../../workers/metrics-server.js';
import { ROOT } from '../helpers/cli.js';
import * as h from '../helpers/helm-chart.js';
import { DB_URL, minimal, scenarios, SECRETS, SMTP_PASSWORD, TEMPORAL_API_KEY, type Scenario } from '../helpers/helm-scenarios.js';

const log = (m: string) => process.stderr.write(`[provision] ${m}\n`);
const EXAMPLES = fs.readdirSync(path.join(h.CHART, 'ci')).map((f) => path.join(h.CHART, 'ci', f));

describe('helm chart deploy/helm/leadflow', () => {
  let chart: h.Chart;
  const rendered = {} as Record<Scenario, h.Rendered>;
  const { deployments } = h;

  before(
    async () => {
      const [helmBin, validator] = await Promise.all([ensureHelm(log), ensureKubeSchemaValidator(log)]);
      chart = new h.Chart(helmBin, validator);
      for (const [name, values] of Object.entries(scenarios)) rendered[name as Scenario] = await chart.render([h.valuesFile(values)]);
    },
    { timeout: 30 * 60_000 },
  );
  after(h.removeValuesFiles);

  test('helm lint --strict passes with the defaults and every value set; rendering the defaults alone is refused, naming what is missing', async () => {
    for (const file of ['', ...EXAMPLES, ...Object.values(scenarios).map((v) => h.valuesFile(v))]) {
      const res = await h.helm(chart.helmBin, ['lint', '--strict', h.CHART, ...(file === '' ? [] : ['-f', file])]);
      assert.ok(res.ok, `${path.basename(file) || 'defaults'}: ${res.stdout}${res.stderr}`);
    }
    // helm lint downgrades `required`/`fail` to notes; template (and install) must stop on them.
    const all = await chart.refusal({});
    for (const env of ['DATABASE_URL', 'PAYLOAD_ENCRYPTION_KEYS', 'LEAD_ID_SECRET', 'INBOX_CREDENTIALS_KEY', 'UNSUBSCRIBE_SECRET'])
      assert.match(all, new RegExp(`\\(${env}\\)`));
    const keysOnly = await chart.refusal({ database: { url: DB_URL } });
    assert.ok(keysOnly.includes('secrets.leadIdSecret (LEAD_ID_SECRET)') && !keysOnly.includes('DATABASE_URL'), keysOnly);
  });

  test(`every object of every value set is valid against Kubernetes ${KUBERNETES_VERSION} (strict) or its CRD`, async () => {
    for (const file of EXAMPLES) await chart.render([file]);
    const kinds = (r: h.Rendered) => r.docs.map((d) => d.kind).sort();
    const base = ['ConfigMap', 'Deployment', 'Deployment', 'Job', 'PodDisruptionBudget', 'PodDisruptionBudget', 'Secret', 'Service', 'Service'];
    assert.deepEqual(kinds(rendered.minimal), base);
    assert.deepEqual(
      kinds(rendered.existingSecretTls),
      base.filter((k) => k !== 'Secret'),
    );
    const { results } = await chart.validator.validate(rendered.monitoring.text);
    const monitors = results.filter((r) => r.kind === 'ServiceMonitor');
    assert.equal(monitors.length, 2);
    for (const m of monitors) assert.match(m.schema ?? '', /^crd servicemonitors\.monitoring\.coreos\.com/, 'checked against the CRD schema');
  });

  test('the validator rejects a broken manifest: a wrong type, an unknown field, a bad ServiceMonitor field', async () => {
    const broken = new h.Rendered('', structuredClone(rendered.monitoring.docs));
    Object.assign(broken.one<h.Workload>('Deployment', 'leadflow-api').spec, { replicas: 'two' });
    const workerC = h.container(broken.one<h.Workload>('Deployment', 'leadflow-worker'));
    Object.assign(workerC, { livenessprobe: workerC.livenessProbe });
    Object.assign(broken.one<h.ServiceMonitor>('ServiceMonitor', 'leadflow-api').spec.endpoints[0]!, { intervall: '30s' });
    // JSON is YAML: the broken objects go through the same parser as helm's output.
    const { results } = await chart.validator.validate(broken.docs.map((d) => JSON.stringify(d)).join('\n---\n'));
    const errors = Object.fromEntries(results.filter((r) => r.error !== null).map((r) => [`${r.kind}/${r.name}`, r.error]));
    assert.deepEqual(Object.keys(errors).sort(), ['Deployment/leadflow-api', 'Deployment/leadflow-worker', 'ServiceMonitor/leadflow-api']);
    assert.match(errors['Deployment/leadflow-api']!, /replicas/);
    assert.match(errors['Deployment/leadflow-worker']!, /livenessprobe/);
    assert.match(errors['ServiceMonitor/leadflow-api']!, /intervall/);
  });

  test('values.schema.json refuses a misspelt key and a wrong type', async () => {
    await assert.rejects(chart.template([h.valuesFile(minimal)], ['api.replica=3']), /additional properties 'replica' not allowed/);
    await assert.rejects(chart.template([h.valuesFile(minimal)], ['worker.replicas=two']), /\/worker\/replicas.*want integer/);
  });

  test('the migration Job runs `leadflow migrate` as a pre-install,pre-upgrade hook, after the config it reads', () => {
    const r = rendered.minimal;
    const job = r.one<h.Workload>('Job', 'leadflow-migrate');
    const ann = job.metadata.annotations ?? {};
    assert.deepEqual(ann['helm.sh/hook']?.split(',').sort(), ['pre-install', 'pre-upgrade']);
    assert.deepEqual(h.container(job).args, ['migrate']);
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    // On a first install only hooks exist when the Job starts: its ConfigMap and Secret must be hooks of lower weight.
    for (const kind of ['ConfigMap', 'Secret']) {
      const cfg = r.one(kind, 'leadflow').metadata.annotations ?? {};
      assert.ok(cfg['helm.sh/hook']?.split(',').includes('pre-install'), `${kind} is a pre-install hook`);
      assert.ok(Number(cfg['helm.sh/hook-weight']) < Number(ann['helm.sh/hook-weight']), `${kind} before the Job`);
    }
    assert.deepEqual(h.container(job).envFrom, h.container(deployments(r).worker).envFrom, 'the Job reads what the workers read');
    assert.equal(r.all('Job').length, 1);
  });

  test("the worker's grace period is the SDK's shutdownGraceTime (read from workers/*.ts) plus the margin", async () => {
    const dir = path.join(ROOT, 'workers');
    const graces = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/shutdownGraceTime:\s*'(\d+) seconds?'/g)].map((m) => Number(m[1])));
    assert.ok(graces.length >= 2, `found the lead and mailbox workers' shutdownGraceTime: ${graces.join(', ')}`);
    const sdkGrace = Math.max(...graces); // the workers of one process shut down together
    const grace = async (sets: string[]) =>
      deployments(await chart.render([h.valuesFile(minimal)], sets)).worker.spec.template.spec.terminationGracePeriodSeconds;
    assert.equal(await grace(['worker.terminationGraceMarginSeconds=0']), sdkGrace, 'worker.shutdownGraceSeconds follows the code');
    assert.equal(await grace(['worker.terminationGraceMarginSeconds=7']), sdkGrace + 7);
    const byDefault = deployments(rendered.minimal).worker.spec.template.spec.terminationGracePeriodSeconds ?? 0;
    assert.ok(byDefault >= sdkGrace + 10, `default ${byDefault} s leaves at least 10 s past the SDK's ${sdkGrace} s`);
  });

  test('probes hit routes the code serves, unauthenticated, on the ports it listens on', async () => {
    const r = rendered.minimal;
    const { api, worker } = deployments(r);
    const apiC = h.container(api);
    const config = loadConfig(r.env(apiC), os.tmpdir());
    assert.equal(apiC.readinessProbe?.httpGet?.path, '/health', 'readiness is the dependency check');
    // The API's own routes, registered as buildApp registers them; `auth: false` is what lets the kubelet in.
    const app = Fastify();
    const routes: { method: string | string[]; url: string; config?: { auth?: boolean } }[] = [];
    app.addHook('onRoute', (route) => void routes.push(route as (typeof routes)[number]));
    await app.register(metricsPlugin);
    await app.register(healthRoutes, {});
    await app.ready();
    for (const probe of [apiC.readinessProbe, apiC.livenessProbe, apiC.startupProbe]) {
      const get = probe?.httpGet;
      assert.ok(get !== undefined, 'every API probe is an HTTP GET');
      assert.ok(
        routes.some((rt) => rt.url === get.path && [rt.method].flat().includes('GET') && rt.config?.auth === false),
        `GET ${get.path} is an open route`,
      );
      assert.equal(h.portNumber(apiC, get.port), config.api.port, 'the port API_PORT makes it listen on');
    }
    assert.equal((await app.inject({ url: apiC.livenessProbe!.httpGet!.path })).statusCode, 200);
    await app.close();
    assert.equal(config.api.host, '0.0.0.0', 'reachable from the kubelet, not only loopback');

    // The worker has no /health: its probes use the product metrics server that `leadflow worker` starts.
    const workerC = h.container(worker);
    const workerCfg = loadConfig(r.env(workerC), os.tmpdir());
    const metricsAddr = workerCfg.temporal.workerMetricsAddress ?? '';
    assert.match(metricsAddr, /^0\.0\.0\.0:\d+$/);
    const server = await serveMetrics('127.0.0.1:0');
    try {
      for (const probe of [workerC.livenessProbe, workerC.startupProbe]) {
        const get = probe?.httpGet;
        assert.ok(get !== undefined);
        assert.equal(h.portNumber(workerC, get.port), Number(metricsAddr.split(':')[1]), 'the port WORKER_METRICS_ADDRESS makes it listen on');
        assert.equal((await fetch(new URL(get.path, server.url))).status, 200, `GET ${get.path} on the worker metrics server`);
      }
    } finally {
      await server.close();
    }
    assert.ok(workerCfg.temporal.sdkMetricsAddress?.startsWith('0.0.0.0:'), 'SDK metrics reachable for scraping');
  });

  test('leadflow accepts the rendered environment, and no pod would generate keys of its own', async () => {
    for (const name of ['minimal', 'monitoring', 'apiKey', 'mtls'] as const) {
      const r = rendered[name];
      for (const c of [...Object.values(deployments(r)).map(h.container), h.container(r.one<h.Workload>('Job', 'leadflow-migrate'))]) {
        const config = loadConfig(r.env(c), os.tmpdir());
        assert.equal(config.databaseUrl, DB_URL);
        assert.equal(config.temporal.embedded, false);
        assert.equal(config.dataDir, '/data');
        // Each loader falls back to generating into the data dir; with the chart's Secret none may.
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-helm-data-'));
        const local = { ...config, dataDir };
        assert.equal((await payloadKeysFromConfig(local)).length, 1);
        assert.equal(await leadIdSecret(local), SECRETS.leadIdSecret);
        assert.equal((await inboxCredentialKeys(local)).length, 1);
        assert.equal(await unsubscribeSecret(local), SECRETS.unsubscribeSecret);
        assert.deepEqual(fs.readdirSync(dataDir), [], `${name}/${c.name}: nothing generated into the data dir`);
        fs.rmSync(dataDir, { recursive: true });
      }
    }
  });

  test('no secret value appears in a ConfigMap; secret-looking plain config is refused', async () => {
    const r = rendered.monitoring;
    const secretValues = Object.values(r.secretData('leadflow'));
    assert.ok(secretValues.includes(SMTP_PASSWORD) && secretValues.includes(DB_URL));
    for (const cm of r.all<h.ConfigMap>('ConfigMap')) {
      const text = JSON.stringify(cm);
      for (const v of secretValues)
        assert.ok(!text.includes(v) && !text.includes(Buffer.from(v).toString('base64')), `ConfigMap ${cm.metadata.name} holds a secret`);
    }
    for (const w of Object.values(deployments(r))) {
      for (const e of h.container(w).env ?? []) assert.equal(e.value, undefined, `${e.name} is a literal in ${w.metadata.name}`);
    }
    await assert.rejects(
      chart.template([h.valuesFile(h.merge(minimal, { config: { env: { SMTP_PASSWORD: 'x' } } }))]),
      /config\.env\.SMTP_PASSWORD looks secret/,
    );
  });

  test("existingSecret removes the chart's Secret; every reference names the existing one", () => {
    const r = rendered.existingSecretTls;
    assert.equal(r.all('Secret').length, 0);
    assert.equal(rendered.minimal.all('Secret').length, 1);
    for (const w of [...r.all<h.Workload>('Deployment'), ...r.all<h.Workload>('Job')]) {
      const c = h.container(w);
      const refs = [...(c.envFrom ?? []).flatMap((f) => f.secretRef?.name ?? []), ...(c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef?.name ?? [])];
      assert.ok(refs.length >= 6, `${w.metadata.name} reads the Secret whole and its required keys by name`);
      assert.deepEqual([...new Set(refs)], ['leadflow-credentials']);
      const named = (c.env ?? []).map((e) => e.name);
      for (const k of ['DATABASE_URL', 'PAYLOAD_ENCRYPTION_KEYS', 'LEAD_ID_SECRET', 'INBOX_CREDENTIALS_KEY', 'UNSUBSCRIBE_SECRET'])
        assert.ok(named.includes(k), `${k} required by name`);
    }
    const cm = r.one<h.ConfigMap>('ConfigMap', 'leadflow').data;
    assert.deepEqual([cm.TEMPORAL_ADDRESS, cm.TEMPORAL_NAMESPACE, cm.TEMPORAL_TLS], ['temporal.prod.internal:7233', 'leadflow-prod', 'true']);
  });

  test("Temporal API key: from the chart's Secret, or a named Secret's key", () => {
    const worker = h.container(deployments(rendered.apiKey).worker);
    const config = loadConfig(rendered.apiKey.env(worker), os.tmpdir());
    assert.deepEqual(
      [config.temporal.apiKey, config.temporal.address, config.temporal.namespace],
      [TEMPORAL_API_KEY, 'leadflow.a1b2c.tmprl.cloud:7233', 'leadflow.a1b2c'],
    );
    const external = h.container(deployments(rendered.apiKeyExternal).worker).env?.find((e) => e.name === 'TEMPORAL_API_KEY');
    assert.deepEqual(external?.valueFrom?.secretKeyRef, { name: 'temporal-cloud', key: 'api-key' });
    assert.equal(
      h.container(deployments(rendered.minimal).worker).env?.find((e) => e.name === 'TEMPORAL_API_KEY'),
      undefined,
    );
    assert.ok(!('TEMPORAL_API_KEY' in rendered.minimal.secretData('leadflow')));
  });

  test('replicas and resources are per component', () => {
    const { api, worker } = deployments(rendered.existingSecretTls);
    const want = scenarios.existingSecretTls;
    assert.deepEqual([api.spec.replicas, worker.spec.replicas], [want.api.replicas, want.worker.replicas]);
    assert.deepEqual(h.container(api).resources, want.api.resources);
    assert.deepEqual(h.container(worker).resources, want.worker.resources);
    assert.deepEqual(h.container(api).args, ['api']);
    assert.deepEqual(h.container(worker).args, ['worker']);
  });

  test('ServiceMonitors and disruption budgets select the pods and ports they mean', () => {
    assert.equal(rendered.minimal.all('ServiceMonitor').length, 0, 'off by default');
    const r = rendered.monitoring;
    const services = r.all<h.Service>('Service');
    for (const m of r.all<h.ServiceMonitor>('ServiceMonitor')) {
      assert.equal(m.metadata.labels?.release, 'kube-prometheus-stack');
      const svc = services.filter((s) => h.selects(m.spec.selector.matchLabels, s.metadata.labels ?? {}));
      assert.equal(svc.length, 1, `${m.metadata.name} selects one Service`);
      for (const ep of m.spec.endpoints)
        assert.ok(
          svc[0]!.spec.ports.some((p) => p.name === ep.port),
          `${ep.port} is a port of ${svc[0]!.metadata.name}`,
        );
    }
    const endpoints = r.all<h.ServiceMonitor>('ServiceMonitor').flatMap((m) => m.spec.endpoints.map((e) => e.port));
    assert.deepEqual(endpoints.sort(), ['http', 'sdk-metrics', 'worker-metrics']);
    for (const [component, w] of Object.entries(deployments(r))) {
      const pdb = r.one<h.Pdb>('PodDisruptionBudget', `leadflow-${component}`);
      assert.deepEqual(pdb.spec.minAvailable, component === 'api' ? 2 : '50%');
      assert.equal(pdb.spec.maxUnavailable, undefined);
      assert.ok(h.selects(pdb.spec.selector.matchLabels, w.spec.template.metadata.labels));
      assert.ok(!h.selects(pdb.spec.selector.matchLabels, deployments(r)[component === 'api' ? 'worker' : 'api'].spec.template.metadata.labels));
      assert.equal(rendered.minimal.one<h.Pdb>('PodDisruptionBudget', `leadflow-${component}`).spec.maxUnavailable, 1);
    }
  });

  test('every pod runs as non-root with a read-only root filesystem and writable /data and /tmp', () => {
    for (const w of [...rendered.minimal.all<h.Workload>('Deployment'), ...rendered.minimal.all<h.Workload>('Job')]) {
      const pod = w.spec.template.spec;
      assert.equal(pod.securityContext?.runAsNonRoot, true);
      assert.ok(Number(pod.securityContext?.runAsUser) > 0, 'a numeric non-root uid (the image names its user)');
      assert.equal(pod.automountServiceAccountToken, false);
      const c = h.container(w);
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL']);
      assert.deepEqual(c.volumeMounts?.map((m) => m.mountPath).sort(), ['/data', '/tmp']);
    }
  });

  test('a configuration change rolls the pods', async () => {
    const before = deployments(rendered.minimal);
    const after = deployments(await chart.render([h.valuesFile(minimal)], ['config.logLevel=debug']));
    for (const c of ['api', 'worker'] as const) {
      const checksum = (w: h.Workload) => w.spec.template.metadata.annotations?.['checksum/config'];
      assert.ok(checksum(before[c]) !== undefined && checksum(before[c]) !== checksum(after[c]), `${c} pods change with the ConfigMap`);
    }
  });
});
