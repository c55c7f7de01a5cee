// The layer guard must bite: each case writes a throwaway file with one import into the real
// tree, lints it with the project's own ESLint config, and expects the verdict. If the config's
// globs, element patterns or resolver ever stop matching, the forbidden cases pass and this fails.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });
const written: string[] = [];
after(() => {
  for (const f of written) fs.rmSync(f, { force: true });
});

/** The boundaries and restricted-import errors for a probe file with `source` at `rel`. */
async function layerErrors(rel: string, source: string): Promise<string[]> {
  const file = path.join(ROOT, rel);
  written.push(file);
  fs.writeFileSync(file, `${source}\nexport const probe = 1;\n`);
  try {
    const [result] = await eslint.lintFiles([file]);
    return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies' || m.ruleId === 'no-restricted-imports').map((m) => m.message);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const refused: Array<[string, string, string]> = [
  [
    'a workflow value-importing an activity factory',
    'workflows/lead/__layer_probe.ts',
    "import { createLeadActivities } from '../../activities/leads/index.js';\nvoid createLeadActivities;",
  ],
  ['a workflow value-importing a repository', 'workflows/lead/__layer_probe.ts', "import { getLead } from '../../db/index.js';\nvoid getLead;"],
  [
    'a workflow value-importing domain code that is not sandbox-safe',
    'workflows/lead/__layer_probe.ts',
    "import { parseAdf } from '../../domain/adf/parse.js';\nvoid parseAdf;",
  ],
  [
    'an API route value-importing an activity',
    'api/routes/__layer_probe.ts',
    "import { createSendActivities } from '../../activities/send/ledger.js';\nvoid createSendActivities;",
  ],
  [
    'an API route importing an activity type',
    'api/routes/__layer_probe.ts',
    "import type { SendActivities } from '../../activities/send/ledger.js';\nexport type T = SendActivities;",
  ],
  [
    'an API route importing the worker wiring',
    'api/routes/__layer_probe.ts',
    "import { intentClassifierFromConfig } from '../../wiring/services.js';\nvoid intentClassifierFromConfig;",
  ],
  ['db/ importing the API', 'db/repositories/__layer_probe.ts', "import { buildApp } from '../../api/app.js';\nvoid buildApp;"],
  [
    'db/ importing a workflow contract',
    'db/repositories/__layer_probe.ts',
    "import { LEAD_TASK_QUEUE } from '../../workflows/lead/contract.js';\nvoid LEAD_TASK_QUEUE;",
  ],
  ['domain/ importing the database', 'domain/adf/__layer_probe.ts', "import { getLead } from '../../db/index.js';\nvoid getLead;"],
  ['domain/ importing an I/O library', 'domain/adf/__layer_probe.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;"],
  ['config/ importing anything of ours', 'config/__layer_probe.ts', "import { Failure } from '../domain/failures/index.js';\nvoid Failure;"],
];

const allowed: Array<[string, string, string]> = [
  [
    'a workflow importing activity types',
    'workflows/lead/__layer_probe.ts',
    "import type { createLeadActivities } from '../../activities/leads/index.js';\nexport type T = ReturnType<typeof createLeadActivities>;",
  ],
  [
    'a workflow importing sandbox-safe domain code',
    'workflows/lead/__layer_probe.ts',
    "import { Failure } from '../../domain/failures/index.js';\nvoid Failure;",
  ],
  [
    'an API route importing intake and a workflow contract',
    'api/routes/__layer_probe.ts',
    "import { LEAD_TASK_QUEUE } from '../../workflows/lead/contract.js';\nimport type { Ingest } from '../../intake/ingest.js';\nvoid LEAD_TASK_QUEUE;\nexport type T = Ingest;",
  ],
  [
    'an activity importing intake, db and domain',
    'activities/mail/__layer_probe.ts',
    "import { getLead } from '../../db/index.js';\nimport { arrivalKey } from '../../domain/ids/index.js';\nvoid getLead; void arrivalKey;",
  ],
];

describe('layer guard (config/layers.js through eslint-plugin-boundaries)', () => {
  for (const [what, rel, source] of refused) {
    test(`refuses ${what}`, async () => {
      const errors = await layerErrors(rel, source);
      assert.ok(errors.length > 0, `expected a layer error for ${rel}:\n${source}`);
    });
  }
  for (const [what, rel, source] of allowed) {
    test(`allows ${what}`, async () => {
      assert.deepEqual(await layerErrors(rel, source), []);
    });
  }
});
