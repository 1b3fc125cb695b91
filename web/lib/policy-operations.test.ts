import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { POLICY_OPERATIONS, canOfferApproval } from './policy-operations';

const apiSchema = buildSchema(readFileSync(fileURLToPath(new URL('../../supergraph/api-schema.graphql', import.meta.url)), 'utf8'));

describe('policy editor operations', () => {
  it.each(POLICY_OPERATIONS.map((operation) => [operation.name, operation] as const))('%s validates against the API schema and is named after its document', (name, operation) => {
    expect(validate(apiSchema, parse(operation.document)).map((error) => error.message)).toEqual([]);
    expect((parse(operation.document).definitions[0] as OperationDefinitionNode).name?.value).toBe(name);
  });
});

describe('canOfferApproval', () => {
  it('offers Approve for a proposal to anyone but its proposer', () => {
    expect(canOfferApproval({ status: 'PROPOSED', proposedBy: 'user:alice' }, 'bob')).toBe(true);
    expect(canOfferApproval({ status: 'PROPOSED', proposedBy: 'user:alice' }, 'alice')).toBe(false);
    // Rows from before proposedBy held actors.
    expect(canOfferApproval({ status: 'PROPOSED', proposedBy: 'alice' }, 'alice')).toBe(false);
  });

  it('never offers Approve for a version that is not a proposal', () => {
    for (const status of ['ACTIVE', 'SUPERSEDED', 'REJECTED'] as const) expect(canOfferApproval({ status, proposedBy: 'user:alice' }, 'bob')).toBe(false);
  });
});
