import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicySet } from './compile';
import { decide } from './evaluate';
import { parsePolicies } from './parser';
import { printPolicies } from './print';
import { policySetArbitrary, requestArbitrary } from './testing/arbitraries';
import { cedarDecide } from './testing/cedar-oracle';
import { validatePolicies } from './validate';

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

/**
 * Differential test: Cedar (cedar-wasm) is the oracle. Random policy sets are printed to Cedar
 * text, parsed back by our parser and compiled; the same text goes to Cedar. Decision,
 * determining policies and the set of erroring policies must all be identical.
 */
describe('decide agrees with Cedar', () => {
  it('on random policy sets and requests (decision, determining policies, erroring policies)', () => {
    let allows = 0;
    let forbids = 0;
    let withErrors = 0;
    fc.assert(
      fc.property(policySetArbitrary, fc.array(requestArbitrary, { minLength: 1, maxLength: 4 }), (policies, requests) => {
        const text = printPolicies(policies);
        const parsed = parsePolicies(text);
        expect(validatePolicies(parsed)).toEqual([]);
        const policySet = compilePolicySet(parsed);
        for (const request of requests) {
          const ours = decide(policySet, request);
          const oracle = cedarDecide(parsed, request);
          expect({
            decision: ours.decision,
            determiningPolicies: sorted(ours.determiningPolicies),
            erroringPolicies: sorted(ours.errors.map((error) => error.policyId)),
          }).toEqual(oracle);
          if (ours.decision === 'allow') allows++;
          else if (ours.determiningPolicies.length > 0) forbids++;
          if (ours.errors.length > 0) withErrors++;
        }
      }),
      { numRuns: 600, seed: 20261126 },
    );
    // The generator must reach every outcome, or agreement would prove little.
    expect(allows).toBeGreaterThan(50);
    expect(forbids).toBeGreaterThan(50);
    expect(withErrors).toBeGreaterThan(50);
  });

  it('on fresh random seeds too', () => {
    fc.assert(
      fc.property(policySetArbitrary, requestArbitrary, (policies, request) => {
        const parsed = parsePolicies(printPolicies(policies));
        const ours = decide(compilePolicySet(parsed), request);
        const oracle = cedarDecide(parsed, request);
        expect(ours.decision).toBe(oracle.decision);
        expect(sorted(ours.determiningPolicies)).toEqual(oracle.determiningPolicies);
        expect(sorted(ours.errors.map((error) => error.policyId))).toEqual(oracle.erroringPolicies);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the language is a subset of Cedar', () => {
  const SCOPE = 'permit (principal, action, resource)';
  // Every form the parser accepts, including the less common ones the printer never writes.
  const ACCEPTED = [
    `${SCOPE};`,
    'permit(principal,action,resource,);',
    'forbid (principal, action in Action::"use_model", resource is Model) when { true };',
    'permit (principal, action == Action :: "a", resource);',
    'permit (principal, action in [], resource);',
    '@id("x") @note permit (principal, action, resource);',
    `${SCOPE} when { context.x == "\\x41\\u{1F600}\\'\\0\\t" };`,
    `${SCOPE} when { context has "data-class" && context["data-class"] like "a\\**" };`,
    `${SCOPE} when { !!!!true } unless { -1 == -1 };`,
    `${SCOPE} when { if true then [1, [2]] == [[2], 1] else false };`,
    `${SCOPE} // trailing comment\n when { principal.roles.isEmpty() || principal.roles.containsAny([]) };`,
  ];

  it.each(ACCEPTED)('Cedar also parses %j', (text) => {
    const policies = parsePolicies(text);
    expect(policies.length).toBeGreaterThan(0);
    const texts = Object.fromEntries(policies.map((policy) => [policy.id, text.slice(policy.span.start.offset, policy.span.end.offset)]));
    const request = { principal: { id: 'a', tenant: 't', roles: [] }, action: 'use_model', resource: { type: 'Model', id: 'm' }, context: {} };
    expect(() => cedarDecide(policies, request, texts)).not.toThrow();
  });
});
