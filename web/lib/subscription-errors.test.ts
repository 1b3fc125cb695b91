import { describe, expect, it } from 'vitest';
import { reconnectCannotFix } from './subscription-errors';

describe('reconnectCannotFix', () => {
  it('gives up on permissions, missing things and invalid operations', () => {
    for (const code of ['FORBIDDEN', 'NOT_A_MEMBER', 'NOT_FOUND', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']) expect(reconnectCannotFix(code), code).toBe(true);
  });

  it('reconnects after an expired token, an outage, an internal error or an unknown code', () => {
    for (const code of ['UNAUTHENTICATED', 'SERVICE_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'SOMETHING_NEW', undefined]) {
      expect(reconnectCannotFix(code), String(code)).toBe(false);
    }
  });
});
