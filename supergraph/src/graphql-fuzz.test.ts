import { readFileSync } from 'node:fs';
import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import { GRAPHQL_ERRORS } from '@switchyard/subgraph-kit/errors';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startGatewayUnderTest, type GatewayUnderTest } from './test-support/gateway-under-test';

/**
 * Protocol fuzzing of the GraphQL API through the real gateway (in-process, stand-in subgraphs for
 * tenants and cost; the others unreachable). Operations are built from the API schema with random
 * arguments, variables and selections, next to random text and random request bodies. Whatever the
 * client sends, the gateway answers JSON with registered codes: never a 5xx other than "a subgraph
 * is unavailable", never a masked internal error for the request as a whole.
 */
const schema = buildSchema(readFileSync(new URL('../api-schema.graphql', import.meta.url), 'utf8'));
const KNOWN_CODES = new Set<string>(GRAPHQL_ERRORS.codes);

const junkJson = fc.jsonValue({ maxDepth: 2 });
const name = fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,8}$/);

/** A GraphQL literal for `type`, usually of the right shape, sometimes not. */
function literal(type: GraphQLInputType, depth: number): fc.Arbitrary<string> {
  const wrong = fc.oneof(fc.constant('null'), fc.integer().map(String), fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)), fc.constant('[]'), fc.constant('{}'), name);
  if (depth > 3) return wrong;
  const right = rightLiteral(type, depth);
  return fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

function rightLiteral(type: GraphQLInputType, depth: number): fc.Arbitrary<string> {
  if (isNonNullType(type)) return rightLiteral(type.ofType, depth);
  if (isListType(type)) return fc.array(literal(type.ofType, depth + 1), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`);
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    if (fields.length === 0) return fc.constant('{}');
    return fc.subarray(fields).chain((chosen) => (chosen.length === 0 ? fc.constant('{}') : fc.tuple(...chosen.map((f) => literal(f.type, depth + 1).map((v) => `${f.name}: ${v}`))).map((parts) => `{ ${parts.join(', ')} }`)));
  }
  switch (isScalarType(type) ? type.name : '') {
    case 'Int':
      return fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constantFrom(2147483647, -2147483648, 0)).map(String);
    case 'Float':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((n) => (Number.isInteger(n) ? `${n}.0` : String(n)));
    case 'Boolean':
      return fc.boolean().map(String);
    default:
      // String, ID and custom scalars (DateTime, …): strings that look like ids, dates or nonsense.
      return fc.oneof(fc.constantFrom('t1', 'acme', 'boom-no', '2026-01-01T00:00:00Z', '', '../etc', 'x'.repeat(300)), fc.string({ maxLength: 20 })).map((s) => JSON.stringify(s));
  }
}

/** A selection set on `type`, depth-bounded (the gateway refuses deeper ones: that is also fine). */
function selection(type: GraphQLNamedType, depth: number): fc.Arbitrary<string> {
  if (!isObjectType(type)) return fc.constant('');
  const fields = Object.values(type.getFields());
  const pick = fc.subarray(fields, { minLength: 1, maxLength: Math.min(4, fields.length) });
  return pick.chain((chosen) => fc.tuple(...chosen.map((f) => fieldText(f, depth + 1))).map((parts) => `{ ${parts.join(' ')} }`));
}

function fieldText(field: GraphQLField<unknown, unknown>, depth: number): fc.Arbitrary<string> {
  const named = getNamedType(field.type);
  const args = field.args.length === 0 ? fc.constant('') : fc.subarray([...field.args]).chain((chosen) => (chosen.length === 0 ? fc.constant('') : fc.tuple(...chosen.map((a) => literal(a.type, 0).map((v) => `${a.name}: ${v}`))).map((parts) => `(${parts.join(', ')})`)));
  const sub = isObjectType(named) ? (depth > 3 ? fc.constant('{ __typename }') : selection(named, depth)) : fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('{ x }') });
  return fc.tuple(args, sub).map(([a, s]) => `${field.name}${a} ${s}`);
}

function operation(root: GraphQLObjectType | null | undefined, keyword: string): fc.Arbitrary<string> {
  if (!root) return fc.constant('{ __typename }');
  const fields = Object.values(root.getFields());
  return fc.subarray(fields, { minLength: 1, maxLength: Math.min(2, fields.length) }).chain((chosen) => fc.tuple(...chosen.map((f) => fieldText(f, 0))).map((parts) => `${keyword} { ${parts.join(' ')} }`));
}

const schemaOperation = fc.oneof(operation(schema.getQueryType(), 'query'), operation(schema.getMutationType(), 'mutation'));

/** Operation text that is often almost GraphQL: schema words and punctuation in random order. */
const WORDS = [...Object.keys(schema.getQueryType()?.getFields() ?? {}), ...Object.keys(schema.getMutationType()?.getFields() ?? {}), 'query', 'mutation', 'subscription', 'fragment', 'on', '...', '$v', '@skip(if: true)', '__typename', '__schema', '{', '}', '(', ')', ':', '"', '[', ']', '!', '=', '#', '\n'];
const noisyText = fc.oneof(fc.string({ maxLength: 120 }), fc.array(fc.constantFrom(...WORDS), { maxLength: 25 }).map((w) => w.join(' ')));

const requestBody = fc.oneof(
  { weight: 5, arbitrary: fc.record({ query: schemaOperation }) },
  { weight: 2, arbitrary: fc.record({ query: noisyText }) },
  {
    weight: 2,
    arbitrary: fc.record({ query: fc.oneof(schemaOperation, fc.constant('query Q($v: String) { viewer { subject } }')), variables: fc.oneof(junkJson, fc.dictionary(name, junkJson, { maxKeys: 3 })), operationName: fc.oneof(junkJson, name) }, { requiredKeys: ['query'] }),
  },
  { weight: 1, arbitrary: fc.record({ query: junkJson, variables: junkJson, extensions: fc.oneof(junkJson, fc.record({ persistedQuery: fc.record({ version: junkJson, sha256Hash: junkJson }, { requiredKeys: [] }) })) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: junkJson },
);

let issuer: TestIssuer;
let gateway: GatewayUnderTest;
let token: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  gateway = await startGatewayUnderTest(issuer);
  token = (await issuer.loginAsAdmin()).accessToken;
});

afterAll(async () => {
  await gateway?.close();
  await issuer?.close();
});

describe('the gateway under protocol fuzzing', () => {
  it('answers every random operation, variable set and body with JSON and registered codes, never a 5xx but SUBGRAPH_UNAVAILABLE, never a request-level internal error', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(requestBody, async (body) => {
        const response = await postGraphQL(gateway.url, JSON.stringify(body), { token });
        const codes = (response.body.errors ?? []).map((e) => String(e.extensions?.['code']));
        for (const code of codes.length ? codes : ['(data)']) seen.set(code, (seen.get(code) ?? 0) + 1);
        const context = `${response.status} ${JSON.stringify(response.body).slice(0, 400)} for ${JSON.stringify(body).slice(0, 400)}`;
        for (const code of codes) expect(KNOWN_CODES.has(code), context).toBe(true);
        // The stand-ins resolve a handful of fields from canned data, so a field they do not resolve
        // fails at its path (masked, 200): that is the stand-in, not the gateway. A masked error for
        // the request as a whole (no path) would be the gateway failing: never allowed.
        const requestLevel = (response.body.errors ?? []).filter((e) => !(e as { path?: unknown }).path);
        expect(requestLevel.map((e) => e.extensions?.['code']), context).not.toContain('INTERNAL_SERVER_ERROR');
        expect(response.status, context).not.toBe(500);
        if (response.status >= 500) expect(response.status === 503 && codes.every((c) => c === 'SUBGRAPH_UNAVAILABLE'), context).toBe(true);
        expect(response.body.data !== undefined || codes.length > 0, context).toBe(true);
      }),
      { numRuns: 200 },
    );
    // The generator reaches execution (data and subgraph answers), not only parse/validation refusals.
    expect(seen.get('GRAPHQL_VALIDATION_FAILED'), JSON.stringify([...seen])).toBeGreaterThan(0);
    expect((seen.get('(data)') ?? 0) + (seen.get('SUBGRAPH_UNAVAILABLE') ?? 0) + (seen.get('BAD_USER_INPUT') ?? 0) + (seen.get('NOT_FOUND') ?? 0), JSON.stringify([...seen])).toBeGreaterThan(0);
  });

  it('answers raw non-JSON and odd bodies with 4xx codes, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('', '{', 'null', '[]', '"x"', '{"query":', '\u0000')), async (raw) => {
        const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: raw });
        const text = await response.text();
        expect(response.status, text).toBeLessThan(500);
        const parsed = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }>; data?: unknown };
        for (const e of parsed.errors ?? []) expect(KNOWN_CODES.has(String(e.extensions?.code)), text).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
