import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyParseError, PolicySourceError } from './errors';
import { parsePolicies } from './parser';

const SCOPE = 'permit(principal, action, resource)';

/** [input, line, column, a phrase the reason must contain] */
const BROKEN: ReadonlyArray<readonly [string, number, number, string]> = [
  ['permit(principal, action, resource', 1, 35, 'expected `)` after the resource scope, found the end of the text'],
  [`${SCOPE} when { context.hour < 6 }`, 1, 62, 'expected `;` to end the policy'],
  ['allow(principal, action, resource);', 1, 1, 'expected `permit` or `forbid` to start a policy, found `allow`'],
  ['permit(principal action, resource);', 1, 18, 'expected `,` after the principal scope, found `action`'],
  ['permit(principal, action == "use_model", resource);', 1, 29, 'expected an action like `Action::"use_model"`'],
  [`${SCOPE}\nwhen { context.region = "eu" };`, 2, 23, 'use `==` to compare'],
  [`${SCOPE}\nwhen { context.region == "eu };`, 2, 26, 'unterminated string'],
  [`${SCOPE}\nwhen { context.hour < 6 < 7 };`, 2, 25, 'add parentheses'],
  [`${SCOPE}\nwhen { principal.roles.has("x") };`, 2, 24, 'unknown method `has`'],
  [`${SCOPE}\nwhen {  };`, 2, 9, 'a `when` clause cannot be empty'],
  [`${SCOPE}\nwhen { context.hour + 1 > 2 };`, 2, 21, 'arithmetic is not supported'],
  [`${SCOPE}\nwhen { context.region == "\\q" };`, 2, 27, '`\\q` is not a valid escape'],
  [`${SCOPE}\nwhen { context.hour > 99999999999999999999 };`, 2, 23, 'out of range'],
  ['permit(principal == User::"a", action, resource);', 1, 18, 'principal constraints are not supported'],
  ['@id permit(principal, action, resource);', 1, 2, '`@id` needs a value'],
  ['@id("a") @id("b") permit(principal, action, resource);', 1, 10, 'duplicate annotation `@id`'],
  [`${SCOPE} when { !!!!!true };`, 1, 48, 'at most 4 `!` in a row'],
  [`${SCOPE} when { context.if == 1 };`, 1, 52, '`if` is a reserved word'],
  [`${SCOPE} whenever { true };`, 1, 37, 'found `whenever`'],
  [`${SCOPE} when { principal in Group::"x" };`, 1, 54, '`in` (entity hierarchy) is not supported'],
  [`${SCOPE} when { 1 == if true then 1 else 2 };`, 1, 49, 'an `if` expression needs parentheses'],
  [`${SCOPE} when { ip("1.2.3.4") == 1 };`, 1, 44, 'function calls'],
  [`${SCOPE}\n  // a comment\n  when { context.tool_scope.contains() };`, 3, 38, '`contains` takes one argument'],
  ['permit(principal, action, resource) when { "\\u{d800}" == "x" };', 1, 45, '`\\u` needs a Unicode scalar value'],
];

describe('parsePolicies refuses broken input with the exact position and an actionable reason', () => {
  it.each(BROKEN)('%j → %i:%i', (text, line, column, phrase) => {
    let caught: unknown;
    try {
      parsePolicies(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyParseError);
    const error = caught as PolicyParseError;
    expect(error.code).toBe('POLICY_SYNTAX_ERROR');
    expect(error.reason).toContain(phrase);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toBe(`${error.reason} at ${line}:${column}`);
    // The offset points at the same character as line:column.
    const lines = text.split('\n');
    const lineStart = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    expect(error.offset).toBe(lineStart + column - 1);
  });
});

describe('parsePolicies accepts the Cedar subset', () => {
  it('parses the example from the issue, with ids from @id or Cedar-style defaults', () => {
    const policies = parsePolicies(`
      @id("p-eu-only")
      forbid (principal, action == Action::"use_model", resource)
      when { context.region != "eu" && resource.data_classification == "restricted" };
      permit (principal, action in [Action::"use_model", Action::"call_tool"], resource is Model)
      when { principal.roles.contains("tenant_admin") && ["mock-gpt", "mock-mini"].contains(resource.model) }
      unless { context.hour < 6 };`);
    expect(policies.map((p) => [p.id, p.effect, p.action, p.resource, p.conditions.map((c) => c.kind)])).toEqual([
      ['p-eu-only', 'forbid', { kind: 'eq', action: 'use_model' }, { kind: 'any' }, ['when']],
      ['policy1', 'permit', { kind: 'in', actions: ['use_model', 'call_tool'] }, { kind: 'is', entityType: 'Model' }, ['when', 'unless']],
    ]);
  });

  it('keeps Cedar precedence: && binds tighter than ||, and `if` extends to the right', () => {
    const [policy] = parsePolicies(`${SCOPE} when { true || false && false };`);
    expect(policy?.conditions[0]?.body).toMatchObject({ kind: 'or', right: { kind: 'and' } });
    const [conditional] = parsePolicies(`${SCOPE} when { if true then 1 else 2 == 1 };`);
    expect(conditional?.conditions[0]?.body).toMatchObject({ kind: 'if', else: { kind: 'compare' } });
  });

  it('decodes escapes in strings and `\\*` in like patterns', () => {
    const [policy] = parsePolicies(`${SCOPE} when { context.x == "a\\"b\\\\c\\n\\u{e9}\\x41" && context.y like "a\\**" };`);
    expect(policy?.conditions[0]?.body).toMatchObject({
      left: { right: { kind: 'string', value: 'a"b\\c\né' + 'A' } },
      right: { kind: 'like', pattern: [{ kind: 'literal', text: 'a*' }, { kind: 'wildcard' }] },
    });
  });

  it('accepts quoted attribute names and `has "…"`', () => {
    const [policy] = parsePolicies(`${SCOPE} when { context has "data-class" && context["data-class"] == "x" };`);
    expect(policy?.conditions[0]?.body).toMatchObject({ left: { kind: 'has', attribute: 'data-class' }, right: { left: { kind: 'attribute', attribute: 'data-class' } } });
  });

  it('accepts an empty document and comments', () => {
    expect(parsePolicies('')).toEqual([]);
    expect(parsePolicies('// nothing here\n')).toEqual([]);
  });
});

describe('parsePolicies on hostile input', () => {
  it('only ever throws PolicySourceError, whatever the text', () => {
    const alphabet = fc.constantFrom(...'permit(principal,action,resource)when{context.x==1&&"\\*[]}!-;@id'.split(''), ' ', '\n', 'é', '😀');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 80 }).map((c) => c.join(''))), (text) => {
        try {
          parsePolicies(text);
        } catch (error) {
          if (!(error instanceof PolicySourceError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('handles deep nesting and long input without blowing up', () => {
    const nested = (depth: number): string => `${SCOPE} when { ${'('.repeat(depth)}true${')'.repeat(depth)} };`;
    expect(parsePolicies(nested(150))).toHaveLength(1);
    expect(() => parsePolicies(nested(100_000))).toThrow(/nested more than 200 levels/);
    expect(() => parsePolicies(`${SCOPE} when { ${'['.repeat(100_000)} };`)).toThrow(PolicyParseError);
    const chain = `${SCOPE} when { ${Array.from({ length: 50_000 }, () => 'true').join(' && ')} };`;
    expect(() => parsePolicies(chain)).toThrow(/too complex/);
    const many = Array.from({ length: 2000 }, (_, i) => `@id("p${i}") ${SCOPE};`).join('\n');
    expect(parsePolicies(many)).toHaveLength(2000);
  });
});
