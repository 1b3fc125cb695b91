import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_FILE, SUPERGRAPH_FILE } from './artifacts';
import { findBreakingChanges } from './breaking-changes';
import { composeSupergraph, CompositionError } from './compose';
import { loadSubgraphSources } from './subgraph-sources';

describe('supergraph composition', () => {
  it('matches the committed supergraph.graphql and api-schema.graphql (run `npm run compose` if not)', async () => {
    const composed = composeSupergraph(await loadSubgraphSources());
    expect(composed.supergraphSdl).toBe(await readFile(SUPERGRAPH_FILE, 'utf8'));
    expect(composed.apiSchemaSdl).toBe(await readFile(API_SCHEMA_FILE, 'utf8'));
  });

  it('exposes every subgraph, including the cost subscription, in the API schema', async () => {
    const { apiSchemaSdl, supergraphSdl } = composeSupergraph(await loadSubgraphSources());
    expect(supergraphSdl).toMatch(/TENANTS @join__graph\(name: "tenants"/);
    expect(supergraphSdl).toMatch(/COST @join__graph\(name: "cost"/);
    expect(apiSchemaSdl).toMatch(/costUpdated\(tenantId: ID!, window: CostWindow! = LAST_HOUR\): CostSummary!/);
    expect(apiSchemaSdl).not.toMatch(/join__|link__/);
  });

  it('reports composition errors with their messages', () => {
    const conflicting = [
      { name: 'a', url: 'http://a', sdl: 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { thing: Int }' },
      { name: 'b', url: 'http://b', sdl: 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { thing: String }' },
    ];
    expect(() => composeSupergraph(conflicting)).toThrow(CompositionError);
    expect(() => composeSupergraph(conflicting)).toThrow(/thing/);
    expect(() => composeSupergraph([{ name: 'a', url: 'http://a', sdl: 'type Query {' }])).toThrow(CompositionError);
  });
});

describe('breaking-change check', () => {
  const before = 'type Query { a: Int!, b(x: Int): String }';

  it('flags removed fields, narrowed arguments and changed types', async () => {
    expect(await findBreakingChanges(before, 'type Query { a: Int! }')).toHaveLength(1);
    expect(await findBreakingChanges(before, 'type Query { a: Int!, b(x: Int!): String }')).toHaveLength(1);
    expect(await findBreakingChanges(before, 'type Query { a: String!, b(x: Int): String }')).toHaveLength(1);
  });

  it('lets additive changes through', async () => {
    expect(await findBreakingChanges(before, 'type Query { a: Int!, b(x: Int, y: Int): String, c: Int }')).toEqual([]);
  });
});
