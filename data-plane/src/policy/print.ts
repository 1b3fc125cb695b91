import type { Expression, PatternElement, Policy } from './ast';

const RESERVED = new Set(['true', 'false', 'if', 'then', 'else', 'in', 'like', 'has', 'is', '__cedar']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Prints a policy as Cedar text. Our language is a subset of Cedar, so this is valid input both
 * for `parsePolicies` (round trip) and for Cedar itself. A defaulted id is written out as `@id`
 * so that it survives the trip.
 */
export function printPolicy(policy: Policy): string {
  const annotations = policy.annotations.some((a) => a.name === 'id') ? policy.annotations : [{ name: 'id', value: policy.id }, ...policy.annotations];
  const lines = annotations.map((a) => `@${a.name}(${quote(a.value)})`);
  const action =
    policy.action.kind === 'any'
      ? 'action'
      : policy.action.kind === 'eq'
        ? `action == ${actionReference(policy.action.action)}`
        : `action in [${policy.action.actions.map(actionReference).join(', ')}]`;
  const resource = policy.resource.kind === 'is' ? `resource is ${policy.resource.entityType}` : 'resource';
  lines.push(`${policy.effect} (principal, ${action}, ${resource})`);
  for (const condition of policy.conditions) lines.push(`${condition.kind} { ${printExpression(condition.body)} }`);
  return `${lines.join('\n')};`;
}

export function printPolicies(policies: readonly Policy[]): string {
  return policies.map(printPolicy).join('\n\n');
}

const actionReference = (action: string): string => `Action::${quote(action)}`;

export function printExpression(expression: Expression): string {
  switch (expression.kind) {
    case 'string':
      return quote(expression.value);
    case 'long':
    case 'bool':
      return String(expression.value);
    case 'set':
      return `[${expression.elements.map(printExpression).join(', ')}]`;
    case 'variable':
      return expression.name;
    case 'attribute':
      return IDENTIFIER.test(expression.attribute) && !RESERVED.has(expression.attribute)
        ? `${operand(expression.object)}.${expression.attribute}`
        : `${operand(expression.object)}[${quote(expression.attribute)}]`;
    case 'has':
      return `${operand(expression.object)} has ${IDENTIFIER.test(expression.attribute) && !RESERVED.has(expression.attribute) ? expression.attribute : quote(expression.attribute)}`;
    case 'compare':
      return `${operand(expression.left)} ${expression.operator} ${operand(expression.right)}`;
    case 'and':
      return `${operand(expression.left)} && ${operand(expression.right)}`;
    case 'or':
      return `${operand(expression.left)} || ${operand(expression.right)}`;
    case 'not':
      return `!${operand(expression.operand)}`;
    case 'method':
      return `${operand(expression.receiver)}.${expression.method}(${expression.argument ? printExpression(expression.argument) : ''})`;
    case 'like':
      return `${operand(expression.subject)} like ${quotePattern(expression.pattern)}`;
    case 'if':
      return `if ${printExpression(expression.condition)} then ${printExpression(expression.then)} else ${printExpression(expression.else)}`;
  }
}

/** Parenthesizes anything that is not a primary or member expression, so precedence never matters. */
function operand(expression: Expression): string {
  const printed = printExpression(expression);
  switch (expression.kind) {
    case 'string':
    case 'bool':
    case 'set':
    case 'variable':
    case 'attribute':
    case 'method':
      return printed;
    case 'long':
      return expression.value < 0 ? `(${printed})` : printed;
    default:
      return `(${printed})`;
  }
}

function escapeCharacter(character: string): string {
  switch (character) {
    case '\\':
      return '\\\\';
    case '"':
      return '\\"';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\0':
      return '\\0';
    default: {
      const code = character.codePointAt(0) ?? 0;
      return code < 0x20 || code === 0x7f ? `\\u{${code.toString(16)}}` : character;
    }
  }
}

const quote = (text: string): string => `"${Array.from(text, escapeCharacter).join('')}"`;

function quotePattern(pattern: readonly PatternElement[]): string {
  const body = pattern
    .map((element) => (element.kind === 'wildcard' ? '*' : Array.from(element.text, (c) => (c === '*' ? '\\*' : escapeCharacter(c))).join('')))
    .join('');
  return `"${body}"`;
}
