// The one-way layer graph, written once. eslint-plugin-boundaries checks every import against it
// on the resolved file path (tests/unit/layers.test.ts proves a forbidden import still fails).
// Value imports build the runtime graph and must point down; `import type` may also reach the
// contracts a layer implements (activities ↔ workflow contracts, as Temporal's proxyActivities needs).
//
//   bin, scripts, bench, tests ─▶ anything
//   workers ─▶ wiring ─▶ activities ─▶ intake ─▶ temporal ─▶ workflows (contracts) ─▶ domain ─▶ (nothing)
//   api ─▶ intake, temporal, workflows (contracts), domain, db, config        (never activities, workers, wiring)
//   db, config ─▶ nothing of ours
export const layerElements = [
  { type: 'config', pattern: 'config' },
  { type: 'db', pattern: 'db' },
  // The part of domain/ that workflow code may run in the sandbox: no Node built-ins, no I/O.
  { type: 'domain-workflow-safe', pattern: ['domain/lead', 'domain/messages', 'domain/failures'] },
  { type: 'domain', pattern: 'domain' },
  { type: 'workflows', pattern: 'workflows' },
  { type: 'temporal', pattern: 'temporal' },
  { type: 'intake', pattern: 'intake' },
  { type: 'activities', pattern: 'activities' },
  { type: 'wiring', pattern: 'wiring' },
  { type: 'api', pattern: 'api' },
  { type: 'workers', pattern: 'workers' },
  { type: 'entry', pattern: ['bin', 'scripts', 'bench', 'tests'] },
];

const types = (...t) => ({ element: { types: { anyOf: t } } });
const value = (from, ...to) => ({ from: types(from), allow: { to: types(...to) } });
const typeOnly = (from, ...to) => ({ from: types(from), allow: { to: types(...to), dependency: { kind: 'type' } } });

const domain = ['domain', 'domain-workflow-safe'];
export const layerPolicies = [
  value('config', 'config'),
  value('db', 'db'),
  value('domain', ...domain),
  value('domain-workflow-safe', ...domain),
  value('workflows', 'workflows', 'domain-workflow-safe'),
  typeOnly('workflows', 'activities', 'domain'),
  value('temporal', 'temporal', 'config', 'workflows', ...domain),
  value('intake', 'intake', 'domain', 'domain-workflow-safe', 'db', 'temporal', 'config'),
  typeOnly('intake', 'workflows'),
  value('activities', 'activities', 'intake', 'temporal', 'db', 'config', ...domain),
  typeOnly('activities', 'workflows'),
  value('wiring', 'wiring', 'activities', 'intake', 'temporal', 'db', 'config', ...domain),
  typeOnly('wiring', 'workflows'),
  value('api', 'api', 'intake', 'temporal', 'workflows', 'db', 'config', ...domain),
  value('workers', 'workers', 'wiring', 'activities', 'intake', 'temporal', 'workflows', 'db', 'config', ...domain),
  value('entry', 'entry', 'workers', 'wiring', 'api', 'activities', 'intake', 'temporal', 'workflows', 'db', 'config', ...domain),
];
