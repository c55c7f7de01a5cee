// Where the workflow code lives, and how to bundle it once. Tests, replay and the production
// worker all use the same entry so a replay test checks the code that really runs.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import fs from 'node:fs';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
}

/**
 * A bundle built earlier in the same run (the test runner builds one and passes its path in
 * LEADFLOW_WORKFLOW_BUNDLE) saves each test process several seconds of webpack.
 */
export async function workflowBundle(): Promise<{ code: string } | { codePath: string }> {
  const prebuilt = process.env.LEADFLOW_WORKFLOW_BUNDLE;
  if (prebuilt !== undefined && fs.existsSync(prebuilt)) return { codePath: prebuilt };
  const { code } = await bundleWorkflows();
  return { code };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
