import { describe, expect, it } from 'vitest';
import { compilePolicySet } from './compile';
import { PolicyValidationError } from './errors';
import { loadPolicySet } from './load';
import { parsePolicies } from './parser';
import { validatePolicies } from './validate';

const SCOPE = 'permit (principal, action, resource)';

/** [condition, column of the offending expression, phrase] — the condition starts at column 45. */
const INVALID: ReadonlyArray<readonly [string, number, string]> = [
  ['user.roles.contains("x")', 45, 'unknown variable `user`'],
  ['action.name == "x"', 45, '`action` has no attributes'],
  ['principal == "alice"', 45, '`principal` cannot be used as a value'],
  ['context.region < "eu"', 62, 'the right side of `<` must be a long, but this is a string'],
  ['"a" >= 1', 45, 'the left side of `>=` must be a long'],
  ['context.hour > 6 && 1', 65, 'each side of `&&` must be a bool'],
  ['!"yes"', 46, 'the operand of `!` must be a bool'],
  ['"abc".contains("a")', 45, 'the receiver of `.contains()` must be a set'],
  ['context.tool_scope.containsAll("search")', 76, 'the argument of `.containsAll()` must be a set'],
  ['5 like "5*"', 45, 'the left side of `like` must be a string'],
  ['if "x" then true else false', 48, 'an `if` condition must be a bool'],
  ['"just a string"', 45, 'a `when` clause must be a boolean, but this is a string'],
  ['context.region.first == "e"', 45, 'attribute access is only supported directly on'],
  ['[1].x has y', 45, '`has` is only supported directly on'],
];

describe('validatePolicies', () => {
  it.each(INVALID)('refuses `%s` at column %i', (condition, column, phrase) => {
    const issues = validatePolicies(parsePolicies(`${SCOPE} when { ${condition} };`));
    expect(issues.length).toBeGreaterThan(0);
    const [issue] = issues;
    expect(issue).toBeInstanceOf(PolicyValidationError);
    expect(issue?.code).toBe('POLICY_INVALID');
    expect(issue?.reason).toContain(phrase);
    expect({ line: issue?.line, column: issue?.column }).toEqual({ line: 1, column });
  });

  it('refuses duplicate ids at the second @id, naming the first', () => {
    const text = '@id("a") permit (principal, action, resource);\n@id("b") permit (principal, action, resource);\n@id("a") forbid (principal, action, resource);';
    const issues = validatePolicies(parsePolicies(text));
    expect(issues.map((issue) => [issue.reason, issue.line, issue.column])).toEqual([
      ['duplicate policy id "a" (first used at 1:1); give each policy a unique @id', 3, 1],
    ]);
  });

  it('refuses an @id that collides with a default id', () => {
    const issues = validatePolicies(parsePolicies('permit (principal, action, resource);\n@id("policy0") permit (principal, action, resource);'));
    expect(issues[0]?.reason).toContain('duplicate policy id "policy0"');
  });

  it('accepts sound policies whose attribute types are only known at decision time', () => {
    const text = `${SCOPE} when { context.hour < 6 && principal.roles.contains("x") && resource.model like "m*" && (if context.mfa then 1 else 2) == 1 };`;
    expect(validatePolicies(parsePolicies(text))).toEqual([]);
  });

  it('reports every problem, and compilePolicySet throws the first', () => {
    const text = `${SCOPE} when { user.x == 1 };\n${SCOPE} when { "a" < 1 };`;
    expect(validatePolicies(parsePolicies(text)).map((issue) => issue.line)).toEqual([1, 2]);
    expect(() => compilePolicySet(parsePolicies(text))).toThrow(PolicyValidationError);
  });
});

describe('loadPolicySet', () => {
  it('returns a compiled set for valid text', () => {
    const result = loadPolicySet(`@id("a") ${SCOPE};`);
    expect(result.ok && result.policySet.ids).toEqual(['a']);
  });

  it('returns the syntax error with code and position', () => {
    const result = loadPolicySet(`${SCOPE}\n  when { context.hour < 6 ;`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => [error.code, error.line, error.column])).toEqual([['POLICY_SYNTAX_ERROR', 2, 27]]);
    expect(result.errors[0]?.message).toBe('expected `}` to close the `when` clause, found `;` at 2:27');
  });

  it('returns every validation error', () => {
    const result = loadPolicySet(`${SCOPE} when { a.b };\n${SCOPE} when { c.d };`);
    expect(result.ok ? [] : result.errors.map((error) => [error.code, error.line])).toEqual([
      ['POLICY_INVALID', 1],
      ['POLICY_INVALID', 2],
    ]);
  });
});
