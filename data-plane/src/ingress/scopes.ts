import { ApiError } from '../errors';
import type { AuthenticatedCaller } from './authenticate';

/** Needed to call the inference endpoints (the tenants subgraph grants it to new keys by default). */
export const INFERENCE_SCOPE = 'inference';

/** The scope each caller-facing endpoint requires: none is served on authentication alone. */
export const ENDPOINT_SCOPES = {
  chat_completions: INFERENCE_SCOPE,
  responses: INFERENCE_SCOPE,
  response: INFERENCE_SCOPE,
  completions: INFERENCE_SCOPE,
  embeddings: INFERENCE_SCOPE,
  memories: INFERENCE_SCOPE,
  models: INFERENCE_SCOPE,
  model: INFERENCE_SCOPE,
  feedback: INFERENCE_SCOPE,
  session_documents: INFERENCE_SCOPE,
} as const satisfies Record<string, string>;

/** Throws 403 `insufficient_scope` unless the caller carries `scope`. */
export function requireScope(caller: Pick<AuthenticatedCaller, 'scopes' | 'kind'>, scope: string): void {
  if (caller.scopes.includes(scope)) return;
  const message =
    caller.kind === 'user'
      ? `Your access token lacks the '${scope}' scope this endpoint needs. Request it when you sign in (scope=${scope}).`
      : `This API key lacks the '${scope}' scope this endpoint needs. Create a key with the '${scope}' scope.`;
  throw new ApiError('insufficient_scope', { message });
}
