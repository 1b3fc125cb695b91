import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Policy } from './ast';
import { parsePolicies } from './parser';
import { printPolicies, printPolicy } from './print';
import { policySetArbitrary } from './testing/arbitraries';

/** Drops source positions, which printing does not preserve. */
function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'span' && key !== 'idSpan')
      .map(([key, inner]) => [key, withoutSpans(inner)]),
  );
}

describe('printPolicy', () => {
  it('round-trips: parse(print(policies)) is the same tree', () => {
    fc.assert(
      fc.property(policySetArbitrary, (policies: Policy[]) => {
        expect(withoutSpans(parsePolicies(printPolicies(policies)))).toEqual(withoutSpans(policies));
      }),
      { numRuns: 500 },
    );
  });

  it('writes a defaulted id out as @id and quotes awkward names', () => {
    const [policy] = parsePolicies('permit (principal, action == Action::"a\\"b", resource) when { context["data-class"] == "x" && context has "if" };');
    expect(printPolicy(policy as Policy)).toBe(
      '@id("policy0")\npermit (principal, action == Action::"a\\"b", resource)\nwhen { (context["data-class"] == "x") && (context has "if") };',
    );
  });
});
