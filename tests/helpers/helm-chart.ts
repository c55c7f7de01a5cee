// Rendering deploy/helm/leadflow with helm and reading the result the way the kubelet would:
// typed views of the objects, named ports resolved, and a container's environment assembled from
// its ConfigMap, Secret and env entries. Used by tests/integration/helm-chart.test.ts.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import type { KubeSchemaValidator } from '../../temporal/provision/kube-schema.js';
import { ROOT } from './cli.js';

export const CHART = path.join(ROOT, 'deploy', 'helm', 'leadflow');
const execFileAsync = promisify(execFile);

export interface Meta {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface SecretKeyRef {
  name: string;
  key: string;
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: SecretKeyRef; configMapKeyRef?: SecretKeyRef };
}
export interface Container {
  name: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Container[];
    securityContext?: Record<string, unknown>;
    terminationGracePeriodSeconds?: number;
    automountServiceAccountToken?: boolean;
    restartPolicy?: string;
    volumes?: { name: string; emptyDir?: object; secret?: { secretName: string; defaultMode?: number; items?: { key: string; path: string }[] } }[];
  };
}
export interface Workload extends K8sObject {
  spec: { replicas?: number; selector?: { matchLabels: Record<string, string> }; template: PodTemplate };
}
export interface ConfigMap extends K8sObject {
  data: Record<string, string>;
}
export interface Secret extends K8sObject {
  data: Record<string, string>;
}
export interface Service extends K8sObject {
  spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: number | string }[] };
}
export interface Pdb extends K8sObject {
  spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector: { matchLabels: Record<string, string> } };
}
export interface ServiceMonitor extends K8sObject {
  spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
}

/** Runs helm; resolves with its exit and both streams apart (stdout is the manifests). */
export async function helm(bin: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(bin, args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

const valuesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-helm-values-'));
let written = 0;
/** A values file for `-f` (JSON is YAML), so each test's input sits next to what it asserts. */
export function valuesFile(values: object): string {
  const file = path.join(valuesDir, `values-${++written}.json`);
  fs.writeFileSync(file, JSON.stringify(values));
  return file;
}
export const removeValuesFiles = (): void => fs.rmSync(valuesDir, { recursive: true, force: true });

/** Deep merge of plain objects (later wins), like helm's for -f files. */
export function merge<T extends object>(...parts: object[]): T {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      const prev = out[k];
      const isObj = (x: unknown): x is object => x !== null && typeof x === 'object' && !Array.isArray(x);
      out[k] = isObj(prev) && isObj(v) ? merge(prev, v) : v;
    }
  }
  return out as T;
}

/** Rendered objects of one release, with lookups by kind and name. */
export class Rendered {
  constructor(
    readonly text: string,
    readonly docs: K8sObject[],
  ) {}
  all<T extends K8sObject>(kind: string): T[] {
    return this.docs.filter((d) => d.kind === kind) as T[];
  }
  one<T extends K8sObject>(kind: string, name: string): T {
    const found = this.docs.find((d) => d.kind === kind && d.metadata.name === name);
    if (found === undefined) throw new Error(`no ${kind} ${name} in: ${this.docs.map((d) => `${d.kind}/${d.metadata.name}`).join(', ')}`);
    return found as T;
  }
  secretData(name: string): Record<string, string> {
    const data = this.one<Secret>('Secret', name).data;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }
  /** The container's environment as the kubelet builds it: envFrom in order, then env (which wins). */
  env(container: Container): Record<string, string> {
    const env: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef !== undefined) Object.assign(env, this.one<ConfigMap>('ConfigMap', from.configMapRef.name).data);
      if (from.secretRef !== undefined) Object.assign(env, this.secretData(from.secretRef.name));
    }
    for (const e of container.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref === undefined) env[e.name] = e.value ?? '';
      else if (!(ref.key in this.secretData(ref.name))) throw new Error(`${e.name}: Secret ${ref.name} has no key ${ref.key}`);
      else env[e.name] = this.secretData(ref.name)[ref.key]!;
    }
    return env;
  }
}

/** A probe's (or any) port as a number: a name is looked up among the container's ports. */
export function portNumber(container: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((p) => p.name === port);
  if (named === undefined) throw new Error(`container ${container.name} has no port named ${port}`);
  return named.containerPort;
}

/** The only container of a workload. */
export function container(w: Workload): Container {
  const [c, ...more] = w.spec.template.spec.containers;
  if (c === undefined || more.length > 0) throw new Error(`${w.metadata.name}: expected one container`);
  return c;
}

/** Every label of `selector` is on `labels` with the same value. */
export const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** `helm template` of the chart as release `leadflow`, every result checked by the offline validator. */
export class Chart {
  constructor(
    readonly helmBin: string,
    readonly validator: KubeSchemaValidator,
  ) {}

  /** The manifests; throws with helm's message when it refuses the values. */
  async template(files: string[], sets: string[] = []): Promise<string> {
    const args = ['template', 'leadflow', CHART, '--namespace', 'leads', '--kube-version', `${this.validator.kubernetesVersion}.0`];
    const res = await helm(this.helmBin, [...args, ...files.flatMap((f) => ['-f', f]), ...sets.flatMap((s) => ['--set', s])]);
    if (!res.ok) throw new Error(res.stderr);
    return res.stdout;
  }

  /** helm's refusal of these values, or '' when it renders them. */
  refusal(values: object): Promise<string> {
    return this.template([valuesFile(values)]).then(
      () => '',
      (e: Error) => e.message,
    );
  }

  /** Renders and validates every object; fails naming each invalid one. */
  async render(files: string[], sets: string[] = []): Promise<Rendered> {
    const text = await this.template(files, sets);
    const { documents, results } = await this.validator.validate(text);
    assert.equal(results.length, documents.length, 'every document was checked');
    const invalid = results.filter((r) => r.error !== null).map((r) => `${r.kind}/${r.name}: ${r.error}`);
    assert.deepEqual(invalid, [], `valid against Kubernetes ${this.validator.kubernetesVersion}`);
    return new Rendered(text, documents as unknown as K8sObject[]);
  }
}

/** The API and worker Deployments of a release named `leadflow`. */
export const deployments = (r: Rendered): { api: Workload; worker: Workload } => ({
  api: r.one<Workload>('Deployment', 'leadflow-api'),
  worker: r.one<Workload>('Deployment', 'leadflow-worker'),
});
