// The tools only the production checks need: helm and the offline Kubernetes schema validator
// (the chart test), Temporal's own server and its SQL tool (the cluster test). Together a few
// minutes of compiling on a fresh machine, so `npm test` builds them in the background at the
// lowest CPU priority while the earlier test layers run (most of those wait on timers and I/O);
// the tests that need a tool wait on the same provisioning lock, and build it themselves if the
// background build failed. `node scripts/provision.mjs` alone builds them in the foreground.
import { ensureHelm, ensureKubeSchemaValidator } from './helm.js';
import type { Log } from './exec.js';
import { ensureTemporalServerTools } from './temporal-server.js';

export interface ProductionTools {
  helm: string;
  kubernetesVersion: string;
  temporalServer: string;
  sqlTool: string;
}

/** In the order the suite needs them: the chart test (integration layer) runs before the cluster test (e2e). */
export async function ensureProductionTools(log: Log, opts: { nice?: boolean } = {}): Promise<ProductionTools> {
  const helm = await ensureHelm(log); // always at the lowest priority (helm.ts)
  const validator = await ensureKubeSchemaValidator(log);
  const { server, sqlTool } = await ensureTemporalServerTools(log, opts);
  return { helm, kubernetesVersion: validator.kubernetesVersion, temporalServer: server, sqlTool };
}
