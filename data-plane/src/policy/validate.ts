import type { Expression, Policy, SourceSpan } from './ast';
import { PolicyValidationError } from './errors';
import type { ValueType } from './values';

/** The variables whose attributes a condition may read. */
const ATTRIBUTE_HOLDERS = new Set(['principal', 'resource', 'context']);

type StaticType = ValueType | 'unknown';

/**
 * Static checks Cedar (without a schema) would only catch while deciding, or not at all:
 * unknown variables, attribute reads on things that have no attributes, operators applied to
 * literals of the wrong type, non-boolean conditions, and duplicate policy ids. Returns every
 * problem found (empty when the set is sound), each as a `POLICY_INVALID` error with its position.
 */
export function validatePolicies(policies: readonly Policy[]): PolicyValidationError[] {
  const issues: PolicyValidationError[] = [];
  const seen = new Map<string, SourceSpan>();
  for (const policy of policies) {
    const first = seen.get(policy.id);
    if (first) {
      issues.push(
        new PolicyValidationError(`duplicate policy id "${policy.id}" (first used at ${first.start.line}:${first.start.column}); give each policy a unique @id`, policy.idSpan),
      );
    } else {
      seen.set(policy.id, policy.idSpan);
    }
    if (policy.id === '') issues.push(new PolicyValidationError('policy id must not be empty', policy.idSpan));
    for (const condition of policy.conditions) {
      const type = new TypeChecker(issues).check(condition.body);
      if (type !== 'unknown' && type !== 'bool') {
        issues.push(new PolicyValidationError(`a \`${condition.kind}\` clause must be a boolean, but this is a ${type}`, condition.body.span));
      }
    }
  }
  return issues;
}

class TypeChecker {
  constructor(private readonly issues: PolicyValidationError[]) {}

  private expect(expression: Expression, wanted: ValueType, role: string): void {
    const actual = this.check(expression);
    if (actual !== 'unknown' && actual !== wanted) {
      this.issues.push(new PolicyValidationError(`${role} must be a ${wanted}, but this is a ${actual}`, expression.span));
    }
  }

  private attributeHolder(object: Expression, what: string): void {
    if (object.kind === 'variable' && ATTRIBUTE_HOLDERS.has(object.name)) return;
    if (object.kind === 'variable' && object.name === 'action') {
      this.issues.push(new PolicyValidationError('`action` has no attributes; constrain the action in the policy scope', object.span));
    } else if (object.kind === 'variable') {
      this.check(object);
    } else {
      this.issues.push(
        new PolicyValidationError(`${what} is only supported directly on \`principal\`, \`resource\` or \`context\` (attribute values are not records)`, object.span),
      );
    }
  }

  check(expression: Expression): StaticType {
    switch (expression.kind) {
      case 'string':
        return 'string';
      case 'long':
        return 'long';
      case 'bool':
        return 'bool';
      case 'set':
        for (const element of expression.elements) this.check(element);
        return 'set';
      case 'variable':
        if (ATTRIBUTE_HOLDERS.has(expression.name) || expression.name === 'action') {
          this.issues.push(
            new PolicyValidationError(`\`${expression.name}\` cannot be used as a value; read one of its attributes, like \`${expression.name}.id\``, expression.span),
          );
        } else {
          this.issues.push(
            new PolicyValidationError(`unknown variable \`${expression.name}\`; conditions can read \`principal\`, \`resource\` and \`context\``, expression.span),
          );
        }
        return 'unknown';
      case 'attribute':
        this.attributeHolder(expression.object, 'attribute access');
        return 'unknown';
      case 'has':
        this.attributeHolder(expression.object, '`has`');
        return 'bool';
      case 'compare':
        if (expression.operator === '==' || expression.operator === '!=') {
          this.check(expression.left);
          this.check(expression.right);
        } else {
          this.expect(expression.left, 'long', `the left side of \`${expression.operator}\``);
          this.expect(expression.right, 'long', `the right side of \`${expression.operator}\``);
        }
        return 'bool';
      case 'and':
      case 'or': {
        const operator = expression.kind === 'and' ? '&&' : '||';
        this.expect(expression.left, 'bool', `each side of \`${operator}\``);
        this.expect(expression.right, 'bool', `each side of \`${operator}\``);
        return 'bool';
      }
      case 'not':
        this.expect(expression.operand, 'bool', 'the operand of `!`');
        return 'bool';
      case 'method':
        this.expect(expression.receiver, 'set', `the receiver of \`.${expression.method}()\``);
        if (expression.argument !== undefined) {
          if (expression.method === 'contains') this.check(expression.argument);
          else this.expect(expression.argument, 'set', `the argument of \`.${expression.method}()\``);
        }
        return 'bool';
      case 'like':
        this.expect(expression.subject, 'string', 'the left side of `like`');
        return 'bool';
      case 'if': {
        this.expect(expression.condition, 'bool', 'an `if` condition');
        const then = this.check(expression.then);
        const otherwise = this.check(expression.else);
        return then === otherwise ? then : 'unknown';
      }
    }
  }
}
