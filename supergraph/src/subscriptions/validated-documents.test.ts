import { buildSchema, specifiedRules } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createValidatedDocuments } from './validated-documents';

const schema = buildSchema('type Query { a: Int } type Subscription { costUpdated(tenantId: ID!): Int }');

describe('validated subscription documents', () => {
  it('parses and validates a text once, and keeps refusing an invalid one', () => {
    const validated = createValidatedDocuments(schema, specifiedRules, 2);
    const good = 'subscription { costUpdated(tenantId: "t1") }';
    const first = validated(good);
    expect('document' in first).toBe(true);
    expect(validated(good)).toBe(first);
    const unknownField = validated('subscription { secrets }');
    expect('errors' in unknownField && unknownField.errors[0]?.extensions['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect('errors' in validated('subscription { secrets }')).toBe(true);
    const malformed = validated('subscription {');
    expect('errors' in malformed && malformed.errors[0]?.message).toMatch(/Syntax Error/);
  });

  it('forgets the oldest text beyond its bound', () => {
    const validated = createValidatedDocuments(schema, specifiedRules, 2);
    const texts = ['subscription { costUpdated(tenantId: "1") }', 'subscription { costUpdated(tenantId: "2") }', 'subscription { costUpdated(tenantId: "3") }'];
    const firstAnswer = validated(texts[0] as string);
    validated(texts[1] as string);
    validated(texts[2] as string);
    expect(validated(texts[0] as string)).not.toBe(firstAnswer);
  });
});
