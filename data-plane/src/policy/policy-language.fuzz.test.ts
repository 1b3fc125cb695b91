import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicySourceError } from './errors';
import { decide } from './evaluate';
import { loadPolicySet } from './load';
import { printPolicies } from './print';
import { policySetArbitrary, requestArbitrary } from './testing/arbitraries';

/**
 * Protocol fuzzing of the policy language as the admin plane meets it (loadPolicySet: parse,
 * validate, compile). parser.test.ts throws random text at the parser; here the inputs are real
 * policy documents (printed from generated ASTs) with random edits, which get much further into
 * the grammar, the validator and the compiler than random text does.
 */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom('(', ')', '{', '}', '[', ']', ';', ',', '"', '\\', '.', '==', '&&', '||', '!', 'if', 'then', 'else', 'in', 'has', 'like', '*', '-', '9999999999999999999', '\u0000', '😀', '\n'), fc.string({ maxLength: 4 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);

type Edit = { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; length: number };

function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    out = e.kind === 'insert' ? out.slice(0, at) + e.text + out.slice(at) : out.slice(0, at) + out.slice(at + e.length);
  }
  return out;
}

describe('the policy language under fuzzing', () => {
  it('an edited policy document loads or is refused with positioned errors inside the text; a loaded one decides any request', () => {
    fc.assert(
      fc.property(policySetArbitrary, fc.array(edit, { maxLength: 4 }), requestArbitrary, (policies, edits, request) => {
        const text = applyEdits(printPolicies(policies), edits);
        const result = loadPolicySet(text);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const error of result.errors) {
            expect(error).toBeInstanceOf(PolicySourceError);
            expect(['POLICY_SYNTAX_ERROR', 'POLICY_INVALID']).toContain(error.code);
            expect(error.offset).toBeGreaterThanOrEqual(0);
            expect(error.offset).toBeLessThanOrEqual(text.length);
            expect(error.line).toBeGreaterThanOrEqual(1);
            expect(error.column).toBeGreaterThanOrEqual(1);
          }
          return;
        }
        const decision = decide(result.policySet, request);
        expect(typeof decision).toBe('object');
      }),
      { numRuns: 800 },
    );
  });

  it('an unedited printed document always loads (so the edits above start from valid text)', () => {
    fc.assert(
      fc.property(policySetArbitrary, (policies) => {
        const result = loadPolicySet(printPolicies(policies));
        expect(result.ok, result.ok ? '' : result.errors.map((e) => e.message).join('; ')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
