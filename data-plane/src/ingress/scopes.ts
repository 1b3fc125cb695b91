import { ApiError } from '../errors';
import type { AuthenticatedKey } from './authenticate';

/** Needed to call the inference endpoints (the tenants subgraph grants it to new keys by default). */
export const INFERENCE_SCOPE = 'inference';

/** Throws 403 `insufficient_scope` unless the key carries `scope`. */
export function requireScope(key: Pick<AuthenticatedKey, 'scopes'>, scope: string): void {
  if (!key.scopes.includes(scope)) {
    throw new ApiError('insufficient_scope', { message: `This API key lacks the '${scope}' scope this endpoint needs. Create a key with the '${scope}' scope.` });
  }
}
