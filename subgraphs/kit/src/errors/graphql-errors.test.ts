import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_ERRORS, COST_ERRORS, DP_ERRORS, EXPERIMENTS_ERRORS, GATEWAY_ERRORS, GRAPHQL_ERRORS, KIT_ERRORS, MEMORY_ERRORS, POLICY_ERRORS, SLO_ERRORS, TENANTS_ERRORS, errorKindOf, isFinal } from './graphql-errors';

const SUBGRAPH_REGISTRIES = { audit: AUDIT_ERRORS, cost: COST_ERRORS, dp: DP_ERRORS, experiments: EXPERIMENTS_ERRORS, memory: MEMORY_ERRORS, policy: POLICY_ERRORS, slo: SLO_ERRORS, tenants: TENANTS_ERRORS };

describe('the GraphQL error registry', () => {
  it('holds every code of the gateway and of every subgraph', () => {
    for (const registry of [GATEWAY_ERRORS, ...Object.values(SUBGRAPH_REGISTRIES)]) {
      for (const code of registry.codes) expect(GRAPHQL_ERRORS.has(code), code).toBe(true);
    }
  });

  it('gives every subgraph the codes its transport answers with', () => {
    for (const [name, registry] of Object.entries(SUBGRAPH_REGISTRIES)) {
      for (const code of KIT_ERRORS.codes) expect(registry.has(code), `${name} ${code}`).toBe(true);
    }
    expect(GRAPHQL_ERRORS.definitions.UNAUTHENTICATED.producers).toEqual(['gateway', ...Object.keys(SUBGRAPH_REGISTRIES)]);
    expect(GRAPHQL_ERRORS.definitions.LAST_ADMIN.producers).toEqual(['tenants']);
  });

  // "Final" joins the two lists the supergraph and the console kept by hand before the registry:
  // a subscription ends on these, and a client does not send the same request again.
  it('makes final what a retry of the same request cannot fix', () => {
    const endedSubscriptions = ['UNAUTHENTICATED', 'FORBIDDEN', 'INVALID_API_KEY', 'API_KEY_REVOKED', 'API_KEY_EXPIRED', 'INSUFFICIENT_SCOPE', 'NOT_A_MEMBER'];
    const consoleGaveUp = ['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'];
    for (const code of [...endedSubscriptions, ...consoleGaveUp]) expect(isFinal(code), code).toBe(true);
    for (const code of ['SERVICE_STARTING', 'SUBGRAPH_UNAVAILABLE', 'IDENTITY_PROVIDER_UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR']) {
      expect(isFinal(code), code).toBe(false);
    }
    expect(isFinal('SOMETHING_NEW')).toBe(false);
  });

  it('keeps authentication apart: a fresh token may fix it, so the console reconnects', () => {
    for (const code of ['UNAUTHENTICATED', 'INVALID_API_KEY', 'API_KEY_REVOKED', 'API_KEY_EXPIRED']) expect(errorKindOf(code), code).toBe('authentication');
    expect(errorKindOf('FORBIDDEN')).toBe('authorization');
    expect(errorKindOf('SOMETHING_NEW')).toBeUndefined();
  });

  it('masks exactly the codes of kind internal', () => {
    const internal = GRAPHQL_ERRORS.codes.filter((code) => GRAPHQL_ERRORS.definitions[code].kind === 'internal');
    expect(internal.sort()).toEqual(['DOWNSTREAM_SERVICE_ERROR', 'GRAPHQL_EXECUTION_FAILED', 'INTERNAL_SERVER_ERROR']);
  });

  it('documents every extension field a factory may set', () => {
    expect(GRAPHQL_ERRORS.definitions.BAD_USER_INPUT.fields).toHaveProperty('field');
    expect(GRAPHQL_ERRORS.definitions.BAD_USER_INPUT.fields).toHaveProperty('policyCode');
    expect(GRAPHQL_ERRORS.definitions.DP_BUDGET_EXCEEDED.fields).toHaveProperty('remainingMicros');
  });
});

// The console bundles this module for the browser: no Node built-ins, no workspace packages.
describe('the errors module', () => {
  it('imports nothing but graphql and its own files', () => {
    const directory = new URL('./', import.meta.url);
    const sources = readdirSync(directory).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    expect(sources).toContain('graphql-errors.ts');
    for (const name of sources) {
      const text = readFileSync(new URL(name, directory), 'utf8');
      const specifiers = [...text.matchAll(/^(?:import|export)\s[^;=()]*?\bfrom\s+'([^']+)'|^import\s+'([^']+)'/gm)].map((match) => match[1] ?? match[2]);
      expect(specifiers.length, name).toBeGreaterThan(0);
      for (const specifier of specifiers) expect(specifier === 'graphql' || specifier?.startsWith('./'), `${name} imports ${specifier}`).toBe(true);
    }
  });
});
