import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CONSOLE_OPERATIONS } from './operations';

// The committed, composed API schema (`npm run compose`): if a subgraph change breaks a console
// operation, this fails in CI instead of in a browser.
const apiSchemaPath = fileURLToPath(new URL('../../supergraph/api-schema.graphql', import.meta.url));
const apiSchema = buildSchema(readFileSync(apiSchemaPath, 'utf8'));

describe('console operations', () => {
  it.each(CONSOLE_OPERATIONS.map((operation) => [operation.name, operation] as const))('%s validates against the API schema', (_name, operation) => {
    expect(validate(apiSchema, parse(operation.document)).map((error) => error.message)).toEqual([]);
  });

  it('names every operation after its document, uniquely', () => {
    const names = CONSOLE_OPERATIONS.map((operation) => {
      const definition = parse(operation.document).definitions[0] as OperationDefinitionNode;
      expect(definition.name?.value).toBe(operation.name);
      return operation.name;
    });
    expect(new Set(names).size).toBe(names.length);
  });
});
