import { describe, expect, it } from 'vitest';
import { compilePolicySet } from './compile';
import { decide } from './evaluate';
import { parsePolicies } from './parser';
import type { PolicyRequest } from './request';

const request = (tenant: string | undefined, action = 'use_model'): PolicyRequest => ({
  principal: (tenant === undefined ? { id: 'a', roles: [] } : { id: 'a', tenant, roles: [] }) as PolicyRequest['principal'],
  action,
  resource: { type: 'Model', id: 'm' },
  context: {},
});

const TEXT = `
@id("any-action") permit (principal, action, resource) when { principal.tenant == "t1" };
@id("use-t1") permit (principal, action == Action::"use_model", resource) when { principal.tenant == "t1" && context.missing };
@id("use-t2") forbid (principal, action == Action::"use_model", resource) when { principal.tenant == "t2" };
@id("use-all") permit (principal, action in [Action::"use_model", Action::"egress"], resource) when { context has x };
@id("egress") permit (principal, action == Action::"egress", resource);
`;

describe('PolicySet indexes', () => {
  const policySet = compilePolicySet(parsePolicies(TEXT));
  const ids = (r: PolicyRequest): string[] => policySet.candidatesFor(r).map((policy) => policy.id);

  it('evaluates only policies for the request action, in document order', () => {
    expect(ids(request(undefined, 'egress'))).toEqual(['any-action', 'use-all', 'egress']);
    expect(ids(request(undefined, 'unknown-action'))).toEqual(['any-action']);
  });

  it("skips other tenants' guarded policies", () => {
    expect(ids(request('t1'))).toEqual(['any-action', 'use-t1', 'use-all']);
    expect(ids(request('t2'))).toEqual(['use-t2', 'use-all']);
    expect(ids(request('t3'))).toEqual(['use-all']);
  });

  it('evaluates every guarded policy when the principal has no tenant (they must report errors)', () => {
    expect(ids(request(undefined))).toEqual(['any-action', 'use-t1', 'use-t2', 'use-all']);
    expect(decide(policySet, request(undefined)).errors.map((error) => error.policyId)).toEqual(['any-action', 'use-t1', 'use-t2']);
  });

  it('gives the same decisions as evaluating everything', () => {
    expect(decide(policySet, request('t1'))).toEqual({
      decision: 'allow',
      determiningPolicies: ['any-action'],
      errors: [{ policyId: 'use-t1', message: '`context` has no attribute `missing`' }],
    });
    expect(decide(policySet, request('t2')).determiningPolicies).toEqual(['use-t2']);
  });

  it('does not treat `unless` or a non-leading tenant test as a guard', () => {
    const set = compilePolicySet(
      parsePolicies(`@id("u") permit (principal, action, resource) unless { principal.tenant == "t1" };
        @id("late") permit (principal, action, resource) when { true && principal.tenant == "t1" } ;
        @id("or") permit (principal, action, resource) when { principal.tenant == "t1" || true };`),
    );
    expect(set.candidatesFor(request('t2')).map((policy) => policy.id)).toEqual(['u', 'late', 'or']);
  });
});
