import { describe, expect, it } from 'vitest';
import { policyRequestSchema } from './request';

const VALID = {
  principal: { id: 'alice', tenant: 't1', roles: ['tenant_admin'], mfa: true },
  action: 'use_model',
  resource: { type: 'Model', id: 'mock-gpt', model: 'mock-gpt' },
  context: { region: 'eu', hour: 10, tool_scope: ['search'] },
};

describe('policyRequestSchema', () => {
  it('accepts a well-formed request', () => {
    expect(policyRequestSchema.parse(VALID)).toEqual(VALID);
  });

  it.each([
    ['a missing tenant', { ...VALID, principal: { id: 'alice', roles: [] } }],
    ['roles that are not a set of strings', { ...VALID, principal: { ...VALID.principal, roles: 'tenant_admin' } }],
    ['a resource type that Cedar cannot name', { ...VALID, resource: { ...VALID.resource, type: 'not a type' } }],
    ['a fractional number', { ...VALID, context: { hour: 10.5 } }],
    ['an unsafe integer', { ...VALID, context: { hour: 2 ** 60 } }],
    ['a nested record', { ...VALID, context: { nested: { a: 1 } } }],
    ['null', { ...VALID, context: { region: null } }],
    ['a set of sets', { ...VALID, context: { tool_scope: [['a']] } }],
    ['an oversized set', { ...VALID, context: { tool_scope: Array.from({ length: 1000 }, (_, i) => `t${i}`) } }],
    ['too many attributes', { ...VALID, context: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`a${i}`, i])) }],
    ['an oversized string', { ...VALID, context: { region: 'x'.repeat(5000) } }],
  ])('refuses %s', (_what, input) => {
    expect(policyRequestSchema.safeParse(input).success).toBe(false);
  });
});
