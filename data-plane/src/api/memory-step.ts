import { SessionQuotaExceededError } from '@switchyard/memory/session';
import { ApiError } from '../errors';

/** How long a client waits before retrying when the session store is unreachable. */
const MEMORY_RETRY_AFTER_SECONDS = 1;

/**
 * A session read or write the request needs failed: the quota is the client's to fix (403, not
 * retryable), anything else is the store being unreachable (503 with Retry-After).
 */
export function memoryFailure(error: unknown): never {
  if (error instanceof ApiError) throw error;
  if (error instanceof SessionQuotaExceededError) {
    throw new ApiError('response_storage_quota_exceeded', {
      message: `Storing this response would exceed this tenant's quota of stored responses: ${error.message}. Delete stored responses (DELETE /v1/responses/{id}), send \`store: false\`, or ask an operator to raise MEMORY_MAX_RESPONSES_PER_TENANT / MEMORY_MAX_BYTES_PER_TENANT.`,
    });
  }
  throw new ApiError('memory_unavailable', { retryAfterSeconds: MEMORY_RETRY_AFTER_SECONDS });
}
