// How a worker identifies its build to Temporal (TEMPORAL_WORKER_BUILD_ID, config/temporal.ts).
//
// By default only as a label: `buildId` without `useVersioning` is the SDK's "no versioning"
// strategy. The build ID is stamped on each workflow task the worker completes and put in its
// identity (Workers tab, task events), so the Web UI shows which build ran a task, while the
// server keeps routing every task to any worker. Routing by version would leave running
// workflows waiting for an old build that a rolling deploy has just removed.
//
// With TEMPORAL_WORKER_VERSIONING=true and TEMPORAL_DEPLOYMENT_NAME: Worker Deployment versioning
// (the SDK's `workerDeploymentOptions`; exclusive with `buildId`). Lead workflows live for weeks,
// so they default to AUTO_UPGRADE: PINNED would keep every old build running until its leads
// finish. Workflow changes must then be replay-safe (patched), as they already are.
import os from 'node:os';
import type { WorkerOptions } from '@temporalio/worker';
import type { WorkerBuild } from '../config/index.js';

export type WorkerVersionOptions = Pick<WorkerOptions, 'identity' | 'buildId' | 'workerDeploymentOptions'>;

/** The SDK's default identity (`pid@host`) with the build ID added; nothing when the build is not set. */
export function workerVersionOptions(build: WorkerBuild | undefined, host = os.hostname(), pid = process.pid): WorkerVersionOptions {
  if (build === undefined) return {};
  const identity = `${pid}@${host} build ${build.buildId}`;
  if (build.deploymentName === undefined) return { identity, buildId: build.buildId };
  return {
    identity,
    workerDeploymentOptions: {
      version: { deploymentName: build.deploymentName, buildId: build.buildId },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    },
  };
}
