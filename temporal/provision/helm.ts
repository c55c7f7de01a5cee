// Provisions helm for the chart in deploy/helm/leadflow (lint, template). Helm ships as GitHub
// release binaries, which this machine and CI cannot reach, so it is built from the Go module
// proxy into the cache (ensureGoTool), like Temporal's server. The manifests it renders are
// checked by the offline schema validator in kube-schema.ts, re-exported here beside it.
import { ensureGoTool, goToolPath, type GoTool } from './go-tool.js';
import { noLog, type Log } from './exec.js';

export { ensureKubeSchemaValidator, KUBERNETES_VERSION, type KubeSchemaValidator, type ManifestReport, type ManifestResult } from './kube-schema.js';

export const HELM: GoTool = { bin: 'helm', pkg: 'helm.sh/helm/v3/cmd/helm', module: 'helm.sh/helm/v3', version: 'v3.22.0' };

/** `<cacheDir>/bin/helm`, built or not. */
export const helmPath = (): string => goToolPath(HELM);

/**
 * helm's path, built from the pinned module version when missing (about 90 s on two cores; the
 * build runs at the lowest CPU priority, beside whatever else the machine is doing).
 */
export function ensureHelm(log: Log = noLog): Promise<string> {
  return ensureGoTool(HELM, log, { nice: true });
}
