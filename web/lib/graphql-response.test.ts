import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { graphQLErrorBody, interpretGraphQLResponse } from './graphql-response';
import { graphQLRequestSchema } from './graphql-request';
import { costUpdatedSubscription } from './operations';
import { isFinal, TENANTS_ERRORS } from '@switchyard/subgraph-kit/errors';

const schema = z.object({ tenants: z.array(z.object({ slug: z.string() })) });

describe('interpretGraphQLResponse', () => {
  it('passes a refusal from another region through with its code and the message naming the home (forms show it as is)', () => {
    const message = 'Tenant t-1 is homed in region region-a: its configuration is changed there, and reaches region region-b by replication. Make this change in region region-a.';
    const refusal = TENANTS_ERRORS.create('TENANT_HOMED_ELSEWHERE', message, { homeRegion: 'region-a', region: 'region-b' }).toJSON();
    const outcome = interpretGraphQLResponse(200, { data: null, errors: [refusal] }, schema);
    expect(outcome).toEqual({ ok: false, error: { code: 'TENANT_HOMED_ELSEWHERE', message } });
    // Final: the console does not retry it (a retry in this region cannot succeed).
    expect(isFinal('TENANT_HOMED_ELSEWHERE')).toBe(true);
  });

  it('returns validated data', () => {
    expect(interpretGraphQLResponse(200, { data: { tenants: [{ slug: 'a' }] } }, schema)).toEqual({
      ok: true,
      data: { tenants: [{ slug: 'a' }] },
    });
  });

  it('surfaces the first error with its extensions.code', () => {
    const outcome = interpretGraphQLResponse(
      200,
      { data: null, errors: [{ message: 'slug taken', extensions: { code: 'CONFLICT' } }, { message: 'second' }] },
      schema,
    );
    expect(outcome).toEqual({ ok: false, error: { code: 'CONFLICT', message: 'slug taken' } });
  });

  it('derives a code from the HTTP status when the error has none', () => {
    const outcome = interpretGraphQLResponse(401, { errors: [{ message: 'no token' }] }, schema);
    expect(outcome).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'no token' } });
  });

  it('reports non-GraphQL bodies and unexpected shapes as bad gateway responses', () => {
    for (const body of [undefined, 'oops', [1, 2], { errors: 'nope' }]) {
      const outcome = interpretGraphQLResponse(502, body, schema);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.code).toBe('BAD_GATEWAY_RESPONSE');
    }
    const wrongShape = interpretGraphQLResponse(200, { data: { tenants: [{ slug: 1 }] } }, schema);
    expect(wrongShape.ok).toBe(false);
  });

  it('validates a costUpdated frame', () => {
    const frame = {
      data: {
        costUpdated: {
          tenantId: 't1',
          window: 'LAST_HOUR',
          totalCostUsd: 0.004512,
          totalRequests: 3,
          promptTokens: 30,
          completionTokens: 60,
          bucketSeconds: 60,
          series: [{ bucketStart: '2026-01-01T00:00:00Z', costUsd: 0.004512, requests: 3, tokens: 90, shadowCostUsd: 0.0011, shadowRequests: 3 }],
          byModel: [{ model: 'mock-gpt', costUsd: 0.004512, requests: 3, promptTokens: 30, completionTokens: 60 }],
          shadowCostUsd: 0.0011,
          shadowRequests: 3,
          shadowByExperiment: [{ experimentId: 'e1', model: 'mock-mini', costUsd: 0.0011, requests: 3, promptTokens: 30, completionTokens: 45 }],
        },
      },
    };
    expect(interpretGraphQLResponse(200, frame, costUpdatedSubscription.data).ok).toBe(true);
    const badWindow = structuredClone(frame);
    badWindow.data.costUpdated.window = 'LAST_YEAR';
    expect(interpretGraphQLResponse(200, badWindow, costUpdatedSubscription.data).ok).toBe(false);
  });

  it('builds a GraphQL-shaped error body', () => {
    expect(graphQLErrorBody({ code: 'X', message: 'y' })).toEqual({ errors: [{ message: 'y', extensions: { code: 'X' } }] });
  });
});

describe('graphQLRequestSchema', () => {
  it('accepts a console request and rejects anything else', () => {
    expect(graphQLRequestSchema.safeParse({ query: '{ tenants { id } }', variables: { a: 1 }, operationName: 'X' }).success).toBe(true);
    expect(graphQLRequestSchema.safeParse({ query: '{ a }', variables: null }).success).toBe(true);
    expect(graphQLRequestSchema.safeParse({ query: '' }).success).toBe(false);
    expect(graphQLRequestSchema.safeParse({ query: 1 }).success).toBe(false);
    expect(graphQLRequestSchema.safeParse([{ query: '{ a }' }]).success).toBe(false);
    expect(graphQLRequestSchema.safeParse({ query: '{ a }', variables: [1] }).success).toBe(false);
    expect(graphQLRequestSchema.safeParse({ query: '{ a }', extensions: {} }).success).toBe(false);
    expect(graphQLRequestSchema.safeParse({ query: 'x'.repeat(40_000) }).success).toBe(false);
  });
});
