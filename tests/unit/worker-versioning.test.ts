// workers/versioning.ts: the build options reach the native worker as the SDK compiles them
// (compileWorkerOptions, then toNativeWorkerOptions, as Worker.create does). A build ID alone is
// the SDK's "no versioning" strategy: the build ID and identity are set, nothing routes by them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { noopMetricMeter } from '@temporalio/common';
import { DefaultLogger, type WorkerOptions } from '@temporalio/worker';
import { compileWorkerOptions, toNativeWorkerOptions } from '@temporalio/worker/lib/worker-options.js';
import { loadConfig } from '../../config/index.js';
import { workerVersionOptions } from '../../workers/versioning.js';

/** What the core worker is registered with for these options (Worker.create's path, minus the server). */
function native(extra: Partial<WorkerOptions>) {
  const compiled = compileWorkerOptions(
    { taskQueue: 'leads', activities: { noop: async () => undefined }, ...extra },
    new DefaultLogger('ERROR'),
    noopMetricMeter,
  );
  // Worker.create fills a missing build ID from the SDK's name and the bundle's hash.
  return toNativeWorkerOptions({ ...compiled, buildId: compiled.buildId ?? 'sdk-default' });
}

describe('worker build options', () => {
  test('TEMPORAL_WORKER_BUILD_ID: the native worker carries the build ID and an identity naming it, versioning off', () => {
    const build = loadConfig({ TEMPORAL_WORKER_BUILD_ID: '0.4.2' }).temporal.workerBuild;
    const opts = native(workerVersionOptions(build, 'worker-7d9f', 41));
    assert.equal(opts.buildId, '0.4.2');
    assert.equal(opts.identity, '41@worker-7d9f build 0.4.2');
    assert.equal(opts.useVersioning, false, 'no legacy build-ID routing');
    assert.equal(opts.workerDeploymentOptions, null, 'no deployment-based routing');
  });

  test('unset: the SDK defaults stay (its own build ID and pid@host identity)', () => {
    assert.deepEqual(workerVersionOptions(undefined), {});
    const opts = native(workerVersionOptions(loadConfig({}).temporal.workerBuild));
    assert.equal(opts.buildId, 'sdk-default');
    assert.match(opts.identity, /^\d+@[^ ]+$/);
  });

  test('TEMPORAL_WORKER_VERSIONING=true: deployment versioning with the name and build, auto-upgrade by default', () => {
    const build = loadConfig({ TEMPORAL_WORKER_VERSIONING: 'true', TEMPORAL_DEPLOYMENT_NAME: 'leadflow', TEMPORAL_WORKER_BUILD_ID: '0.4.2' }).temporal
      .workerBuild;
    const opts = native(workerVersionOptions(build, 'worker-7d9f', 41));
    assert.deepEqual(opts.workerDeploymentOptions, {
      version: { deploymentName: 'leadflow', buildId: '0.4.2' },
      useWorkerVersioning: true,
      defaultVersioningBehavior: { type: 'auto-upgrade' },
    });
    assert.equal(opts.useVersioning, false, 'not the deprecated build-ID versioning as well');
    assert.equal(opts.identity, '41@worker-7d9f build 0.4.2');
  });
});
