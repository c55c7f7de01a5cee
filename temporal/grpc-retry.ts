// The client's gRPC retry, with one refusal retried sooner: "workflow is closing".
//
// Why. The server refuses an update that reaches a workflow while the task that continues it as
// new runs, with RESOURCE_EXHAUSTED "workflow is closing", so the caller asks again and lands on
// the successor a moment later. The SDK's default waits 1 s × 1.7 before any RESOURCE_EXHAUSTED
// retry (right for a rate limit), so every slot request caught in an inbox's hand-over waited
// 1.7–2.9 s for a window of tens of milliseconds. Measured with 500 e-mails through IMAP: the
// slowest 5 % of leads spent seconds in the slot activity at each inbox hand-over. Everything else
// keeps the SDK's schedule.
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionPlugin } from '@temporalio/client';
import protos from '@temporalio/proto';

/** grpc-js's status, as the SDK's retry options receive it (grpc-js is the SDK's dependency, not ours). */
type StatusObject = Parameters<ReturnType<typeof defaultGrpcRetryOptions>['delayFunction']>[1];

const RESOURCE_EXHAUSTED = 8;
const CLOSING = /workflow is closing/i;
const MULTI_OP_FAILURE = 'type.googleapis.com/temporal.api.errordetails.v1.MultiOperationExecutionFailure';
/** The first retry after a "closing" refusal: 50 ms × 1.7, then growing by 1.7 (≈ 13 s over the 9 retries). */
const CLOSING_INITIAL_MS = 50;

/**
 * Whether the server refused because the workflow is closing: in the status's own message (an
 * update), or in an operation's status inside an update-with-start's multi-operation failure
 * (whose own message is generic).
 */
export function isWorkflowClosing(status: Pick<StatusObject, 'code' | 'details' | 'metadata'>): boolean {
  if (Number(status.code) !== RESOURCE_EXHAUSTED) return false;
  if (CLOSING.test(status.details)) return true;
  const bin = status.metadata?.get('grpc-status-details-bin')?.[0];
  if (bin === undefined || typeof bin === 'string') return false;
  try {
    for (const any of protos.google.rpc.Status.decode(bin).details ?? []) {
      if (any.type_url !== MULTI_OP_FAILURE || any.value == null) continue;
      const { statuses } = protos.temporal.api.errordetails.v1.MultiOperationExecutionFailure.decode(any.value);
      if (statuses.some((s) => s.code === RESOURCE_EXHAUSTED && CLOSING.test(s.message ?? ''))) return true;
    }
  } catch {
    // Undecodable details: not the refusal we know; the default schedule applies.
  }
  return false;
}

/** The SDK's retry options with the sooner first retry for a closing workflow (the SDK's intervals otherwise). */
export const leadflowRetryOptions = () =>
  defaultGrpcRetryOptions({
    initialIntervalMs: (status) => {
      if (isWorkflowClosing(status)) return CLOSING_INITIAL_MS;
      return Number(status.code) === RESOURCE_EXHAUSTED ? 1_000 : 100;
    },
  });

/** The retry interceptor every leadflow client connection uses. */
export const leadflowRetryInterceptor = () => makeGrpcRetryInterceptor(leadflowRetryOptions());

/**
 * The same, as a connection plugin, for connections made by others (the SDK's test environment).
 * It stands where the SDK's default retry would; a connection given interceptors of its own keeps them.
 */
export const leadflowRetryPlugin: ConnectionPlugin = {
  name: 'leadflow-grpc-retry',
  configureConnection: (options) => ({ ...options, interceptors: options.interceptors ?? [leadflowRetryInterceptor()] }),
};
