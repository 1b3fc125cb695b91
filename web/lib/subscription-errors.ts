import { errorKindOf, isFinal } from '@switchyard/subgraph-kit/errors';

/**
 * Whether the error a live subscription ended on is one a reconnect cannot fix: a final code of
 * the API's error registry, except authentication (the reconnect fetches a fresh access token).
 * Unknown codes and no code (a restarting bus, a dropped socket) are worth a new subscription.
 */
export function reconnectCannotFix(code: string | undefined): boolean {
  return isFinal(code) && errorKindOf(code) !== 'authentication';
}
