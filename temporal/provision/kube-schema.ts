// Provisions an offline, strict schema check for rendered Kubernetes manifests (the Helm chart's
// test): PyPI's kubernetes-validate, which bundles the Kubernetes JSON schemas in the package, in
// a venv under the cache, plus the prometheus-operator ServiceMonitor CRD from the Go module proxy
// (its module zip carries the CRD yaml) for the one custom resource the chart renders. Both come
// from registries this machine and CI reach; nothing is downloaded when a manifest is checked.
// kube-validate.py (beside this file) does the checking; see there why not the package's CLI.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './cache.js';
import { findOnPath, isExecutableFile, noLog, run, tail, type Log } from './exec.js';
import { withLock } from './lock.js';

export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
/** The Kubernetes version manifests are checked against (kubernetes-validate bundles 1.25 … 1.37). */
export const KUBERNETES_VERSION = '1.33';
export const PROMETHEUS_OPERATOR_MODULE = 'github.com/prometheus-operator/prometheus-operator';
export const PROMETHEUS_OPERATOR_VERSION = 'v0.85.0';
const CRD_IN_MODULE = 'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml';
const DRIVER = fileURLToPath(new URL('./kube-validate.py', import.meta.url));

export interface ManifestResult {
  apiVersion: string | null;
  kind: string | null;
  name: string | null;
  /** Which schema checked it: `kubernetes 1.33 strict` or `crd <name> <operator version>`. */
  schema: string | null;
  /** Null when the document is valid. */
  error: string | null;
}

export interface ManifestReport {
  /** Every YAML document, parsed (PyYAML, so the test needs no YAML package of its own). */
  documents: Record<string, unknown>[];
  results: ManifestResult[];
}

export interface KubeSchemaValidator {
  kubernetesVersion: string;
  /** Parses and checks every document of a multi-document YAML text; a kind with no schema is an error. */
  validate(manifests: string): Promise<ManifestReport>;
}

const pins = () => ({ kubernetesValidate: KUBERNETES_VALIDATE_VERSION, prometheusOperator: PROMETHEUS_OPERATOR_VERSION });
const venvDir = () => path.join(cacheDir(), `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}`);
const stampPath = () => path.join(venvDir(), 'leadflow-ready.json');
const crdPath = () => path.join(venvDir(), 'crds', `servicemonitors-${PROMETHEUS_OPERATOR_VERSION}.yaml`);
const venvPython = () => path.join(venvDir(), 'bin', 'python');

function ready(): boolean {
  try {
    return isExecutableFile(venvPython()) && fs.existsSync(crdPath()) && fs.readFileSync(stampPath(), 'utf8') === JSON.stringify(pins());
  } catch {
    return false;
  }
}

/** The validator; installs it (venv + pip, the CRD via `go mod download`) and proves it works offline when missing. */
export async function ensureKubeSchemaValidator(log: Log = noLog): Promise<KubeSchemaValidator> {
  if (!ready()) {
    await withLock(
      path.join(cacheDir(), 'locks', 'kubernetes-validate'),
      async () => {
        if (ready()) return; // installed by another process meanwhile
        await install(log);
        await selfTest(validatorFor(log));
        fs.writeFileSync(stampPath(), JSON.stringify(pins())); // last: its presence means a complete, tested install
      },
      { log, timeoutMs: 15 * 60_000 },
    );
  }
  return validatorFor(log);
}

async function must(cmd: string, args: string[], what: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const res = await run(cmd, args, { timeoutMs: 10 * 60_000, ...(env !== undefined && { env }) });
  if (res.code !== 0) throw new Error(`${what} failed (${res.signal ?? `exit ${res.code}`}):\n${tail(res.output)}`);
  return res.output;
}

async function install(log: Log): Promise<void> {
  const python = findOnPath('python3');
  if (python === null) throw new Error('python3 is not on PATH: install Python 3 with its venv module (Debian: python3-venv) to check Kubernetes manifests');
  const go = findOnPath('go');
  if (go === null)
    throw new Error(`Go is not installed: it fetches the ServiceMonitor CRD (go mod download ${PROMETHEUS_OPERATOR_MODULE}@${PROMETHEUS_OPERATOR_VERSION})`);
  fs.rmSync(venvDir(), { recursive: true, force: true }); // a half-made venv from a killed run
  log(`installing kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} into ${venvDir()}`);
  await must(python, ['-m', 'venv', venvDir()], 'python3 -m venv (Debian needs python3-venv)');
  const pip = ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--quiet', `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`];
  await must(venvPython(), pip, `pip install kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`);

  // Outside any module, `go mod download` puts the module's files in the module cache and says where.
  const spec = `${PROMETHEUS_OPERATOR_MODULE}@${PROMETHEUS_OPERATOR_VERSION}`;
  log(`fetching the ServiceMonitor CRD: go mod download ${spec}`);
  const out = await must(go, ['mod', 'download', '-json', spec], `go mod download ${spec}`, { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' });
  // run() interleaves stderr; the JSON object is the part between the outer braces.
  const dir = (JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as { Dir?: string }).Dir;
  const source = dir === undefined ? '' : path.join(dir, CRD_IN_MODULE);
  if (!fs.existsSync(source)) throw new Error(`go mod download ${spec} gave no ${CRD_IN_MODULE}`);
  // A copy: `go clean -modcache` must not take the schema away from an installed validator.
  fs.mkdirSync(path.dirname(crdPath()), { recursive: true });
  fs.copyFileSync(source, crdPath());
}

let offlinePrefix: Promise<string[]> | undefined;
/** `unshare -n` (root) or `unshare -rn` (user namespaces): the check then runs with no network at all, proving it needs none. */
function offline(log: Log): Promise<string[]> {
  offlinePrefix ??= (async () => {
    const unshare = findOnPath('unshare');
    if (unshare !== null) {
      for (const flags of [['-n'], ['-r', '-n']]) {
        const res = await run(unshare, [...flags, 'true'], { timeoutMs: 10_000 }).catch(() => null);
        if (res?.code === 0) return [unshare, ...flags];
      }
    }
    log('no network namespace available (unshare): manifests are checked with the network present');
    return [];
  })();
  return offlinePrefix;
}

function validatorFor(log: Log): KubeSchemaValidator {
  return {
    kubernetesVersion: KUBERNETES_VERSION,
    async validate(manifests: string): Promise<ManifestReport> {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-kube-validate-'));
      try {
        const [input, output] = [path.join(work, 'manifests.yaml'), path.join(work, 'result.json')];
        fs.writeFileSync(input, manifests);
        const argv = [...(await offline(log)), venvPython(), DRIVER, '--kubernetes-version', KUBERNETES_VERSION, '--crd', crdPath(), '--out', output, input];
        const res = await run(argv[0]!, argv.slice(1), { timeoutMs: 5 * 60_000 });
        // Exit 1 means "some document is invalid" and the results say which; anything else is a crash.
        if ((res.code !== 0 && res.code !== 1) || !fs.existsSync(output))
          throw new Error(`kube-validate.py failed (${res.signal ?? `exit ${res.code}`}):\n${tail(res.output)}`);
        return JSON.parse(fs.readFileSync(output, 'utf8')) as ManifestReport;
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

const deployment = (spec: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: self-test }
spec:
  selector: { matchLabels: { app: t } }
  template:
    metadata: { labels: { app: t } }
    spec: { containers: [{ name: c, image: busybox }] }
${spec}`;
const serviceMonitor = (extra: string) => `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: self-test }
spec:
  selector: { matchLabels: { app: t } }
  endpoints: [{ port: http, path: /metrics${extra} }]`;

/** A validator that lets a bad manifest through would make every chart check worthless: prove it does not. */
async function selfTest(v: KubeSchemaValidator): Promise<void> {
  const cases: [string, string, boolean][] = [
    ['a valid Deployment', deployment('  replicas: 2'), true],
    ['an unknown field (strict)', deployment('  replicas: 2\n  replica: 3'), false],
    ['a wrong type', deployment('  replicas: two'), false],
    ['a valid ServiceMonitor', serviceMonitor(''), true],
    ['an unknown ServiceMonitor endpoint field', serviceMonitor(', intervall: 30s'), false],
    ['a kind with no schema', 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: { name: x }', false],
  ];
  for (const [what, manifest, valid] of cases) {
    const { results } = await v.validate(manifest);
    const ok = results.length === 1 && results[0]!.error === null;
    if (ok !== valid) throw new Error(`kubernetes-validate self-test: ${what} was ${ok ? 'accepted' : 'rejected'}: ${JSON.stringify(results)}`);
  }
}
