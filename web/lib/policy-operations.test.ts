import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { POLICY_OPERATIONS } from './policy-operations';

const apiSchema = buildSchema(readFileSync(fileURLToPath(new URL('../../supergraph/api-schema.graphql', import.meta.url)), 'utf8'));

describe('policy editor operations', () => {
  it.each(POLICY_OPERATIONS.map((operation) => [operation.name, operation] as const))('%s validates against the API schema and is named after its document', (name, operation) => {
    expect(validate(apiSchema, parse(operation.document)).map((error) => error.message)).toEqual([]);
    expect((parse(operation.document).definitions[0] as OperationDefinitionNode).name?.value).toBe(name);
  });
});
