// The client's retry schedule (temporal/grpc-retry.ts): a "workflow is closing" refusal, alone or
// inside an update-with-start's multi-operation failure, is retried within ~100 ms; every other
// RESOURCE_EXHAUSTED keeps the SDK's 1 s start, and other codes its 100 ms.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import protos from '@temporalio/proto';
import { isWorkflowClosing, leadflowRetryOptions } from '../../temporal/grpc-retry.js';

const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;
type Status = Parameters<ReturnType<typeof leadflowRetryOptions>['delayFunction']>[1];

/** A status as grpc-js hands it over; `ops` become the binary multi-operation details the server sends. */
function status(code: number, details: string, ops?: { code: number; message: string }[]): Status {
  const bin =
    ops === undefined
      ? undefined
      : Buffer.from(
          protos.google.rpc.Status.encode({
            code,
            message: details,
            details: [
              {
                type_url: 'type.googleapis.com/temporal.api.errordetails.v1.MultiOperationExecutionFailure',
                value: protos.temporal.api.errordetails.v1.MultiOperationExecutionFailure.encode({ statuses: ops }).finish(),
              },
            ],
          }).finish(),
        );
  const metadata = { get: (key: string) => (key === 'grpc-status-details-bin' && bin !== undefined ? [bin] : []) };
  return { code, details, metadata } as unknown as Status;
}

describe('gRPC retry: a closing workflow is asked again soon', () => {
  const closing = status(RESOURCE_EXHAUSTED, 'workflow is closing');
  const closingInMultiOp = status(RESOURCE_EXHAUSTED, 'Update-with-Start could not be executed.', [
    { code: 10, message: 'Operation was aborted.' },
    { code: RESOURCE_EXHAUSTED, message: 'workflow is closing' },
  ]);
  const rateLimited = status(RESOURCE_EXHAUSTED, 'namespace rate limit exceeded');
  const tooManyUpdates = status(RESOURCE_EXHAUSTED, 'Update-with-Start could not be executed.', [
    { code: 10, message: 'Operation was aborted.' },
    { code: RESOURCE_EXHAUSTED, message: 'limit on number of concurrent in-flight updates has been reached (10)' },
  ]);

  test('recognises the refusal, alone and inside a multi-operation failure, and nothing else', () => {
    assert.equal(isWorkflowClosing(closing), true);
    assert.equal(isWorkflowClosing(closingInMultiOp), true);
    assert.equal(isWorkflowClosing(rateLimited), false);
    assert.equal(isWorkflowClosing(tooManyUpdates), false);
    assert.equal(isWorkflowClosing(status(UNAVAILABLE, 'workflow is closing')), false, 'only RESOURCE_EXHAUSTED');
    const garbage = { code: RESOURCE_EXHAUSTED, details: 'x', metadata: { get: () => [Buffer.from([0xff, 0xff, 0xff])] } } as unknown as Status;
    assert.equal(isWorkflowClosing(garbage), false, 'undecodable details are not the refusal');
  });

  test('the first retry comes after 68–102 ms for it, 1.36–2.04 s for other exhaustion, 136–204 ms for other codes', () => {
    const { delayFunction, retryableDecider } = leadflowRetryOptions();
    for (let i = 0; i < 50; i++) {
      for (const s of [closing, closingInMultiOp]) {
        const d = delayFunction(1, s);
        assert.ok(d >= 68 && d <= 102, `closing: ${d}`);
      }
      for (const s of [rateLimited, tooManyUpdates]) {
        const d = delayFunction(1, s);
        assert.ok(d >= 1_360 && d <= 2_040, `exhausted: ${d}`);
      }
      const d = delayFunction(1, status(UNAVAILABLE, 'connection refused'));
      assert.ok(d >= 136 && d <= 204, `unavailable: ${d}`);
    }
    assert.equal(retryableDecider(1, closingInMultiOp), true);
    assert.equal(retryableDecider(10, closingInMultiOp), false, 'still bounded: 10 attempts');
  });
});
