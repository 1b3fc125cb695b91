import { UpstreamError } from '../adapters/adapter';
import { ApiError } from '../errors';
import { OverloadedError } from '../router/adaptive-concurrency';
import { CircuitOpenError, ExecutionFailedError } from '../router/execute';

/** Why no upstream answered (or why one stopped answering), as the client-facing error. */
export function upstreamToApiError(error: unknown): ApiError {
  const reason = error instanceof ExecutionFailedError ? error.reason : error;
  if (reason instanceof UpstreamError) {
    return new ApiError(reason.failure, reason.failure === 'upstream_unavailable' ? { retryAfterSeconds: reason.retryAfterSeconds ?? 1 } : {});
  }
  if (reason instanceof OverloadedError) return new ApiError('overloaded', { retryAfterSeconds: reason.retryAfterSeconds });
  if (reason instanceof CircuitOpenError) {
    return new ApiError('upstream_unavailable', {
      retryAfterSeconds: 1,
      message: 'Every model provider for this request is failing and temporarily taken out of rotation. Retry after the number of seconds in the Retry-After header.',
    });
  }
  return new ApiError('upstream_error');
}
