import type { Effect, Expression, Policy } from './ast';
import { PolicyEvaluationFault } from './errors';
import type { Attributes, PolicyRequest } from './request';
import { validatePolicies } from './validate';
import { compilePattern, setHas, typeOfValue, valuesEqual, type Value } from './values';

/** One policy turned into closures once, so deciding walks no syntax tree. */
export interface CompiledPolicy {
  readonly id: string;
  readonly effect: Effect;
  /** True when scope and conditions hold; throws `PolicyEvaluationFault` when the policy errors. */
  readonly matches: (request: PolicyRequest) => boolean;
}

/**
 * A validated, compiled policy set, indexed by action so a decision only looks at the policies
 * that can apply to the request's action (those naming it, plus those for any action).
 */
export class PolicySet {
  private readonly byAction = new Map<string, readonly CompiledPolicy[]>();
  private readonly forAnyAction: readonly CompiledPolicy[];

  constructor(readonly policies: readonly Policy[]) {
    const compiled = policies.map(compilePolicy);
    const named = new Set(policies.flatMap((policy) => actionsOf(policy) ?? []));
    this.forAnyAction = compiled.filter((_, i) => actionsOf(policies[i] as Policy) === undefined);
    for (const action of named) {
      // Keep document order, so determining policies are listed in the order they were written.
      this.byAction.set(
        action,
        compiled.filter((_, i) => {
          const actions = actionsOf(policies[i] as Policy);
          return actions === undefined || actions.includes(action);
        }),
      );
    }
  }

  candidatesFor(action: string): readonly CompiledPolicy[] {
    return this.byAction.get(action) ?? this.forAnyAction;
  }

  get ids(): string[] {
    return this.policies.map((policy) => policy.id);
  }
}

/** Validates and compiles policies; throws the first `PolicyValidationError` (code `POLICY_INVALID`). */
export function compilePolicySet(policies: readonly Policy[]): PolicySet {
  const [first] = validatePolicies(policies);
  if (first) throw first;
  return new PolicySet(policies);
}

function actionsOf(policy: Policy): readonly string[] | undefined {
  switch (policy.action.kind) {
    case 'any':
      return undefined;
    case 'eq':
      return [policy.action.action];
    case 'in':
      return policy.action.actions;
  }
}

type Evaluator = (request: PolicyRequest) => Value;

function compilePolicy(policy: Policy): CompiledPolicy {
  const entityType = policy.resource.kind === 'is' ? policy.resource.entityType : undefined;
  const clauses = policy.conditions.map((condition) => ({ when: condition.kind === 'when', evaluate: compileExpression(condition.body), kind: condition.kind }));
  const matches = (request: PolicyRequest): boolean => {
    if (entityType !== undefined && request.resource.type !== entityType) return false;
    // Clauses run in order and stop at the first that fails, like Cedar's `&&` chain.
    for (const clause of clauses) {
      const value = clause.evaluate(request);
      if (typeof value !== 'boolean') throw new PolicyEvaluationFault(`type error: a \`${clause.kind}\` clause evaluated to a ${typeOfValue(value)}, not a boolean`);
      if (value !== clause.when) return false;
    }
    return true;
  };
  return { id: policy.id, effect: policy.effect, matches };
}

function constantOf(expression: Expression): Value | undefined {
  switch (expression.kind) {
    case 'string':
    case 'long':
    case 'bool':
      return expression.value;
    case 'set': {
      const elements = expression.elements.map(constantOf);
      return elements.every((element) => element !== undefined) ? (elements as Value[]) : undefined;
    }
    default:
      return undefined;
  }
}

function readAttribute(holder: string, attributes: Attributes, name: string): Value {
  const value = attributes[name];
  if (value === undefined || !Object.hasOwn(attributes, name)) {
    throw new PolicyEvaluationFault(`\`${holder}\` has no attribute \`${name}\``);
  }
  return value;
}

function holderOf(expression: Expression): 'principal' | 'resource' | 'context' {
  if (expression.kind === 'variable' && (expression.name === 'principal' || expression.name === 'resource' || expression.name === 'context')) {
    return expression.name;
  }
  // Unreachable after validation; kept as a guard for trees built by hand.
  throw new Error(`attributes can only be read from principal, resource or context`);
}

const typeError = (operator: string, wanted: string, value: Value): PolicyEvaluationFault =>
  new PolicyEvaluationFault(`type error: ${operator} expects ${wanted}, got a ${typeOfValue(value)}`);

function compileExpression(expression: Expression): Evaluator {
  const constant = constantOf(expression);
  if (constant !== undefined) return () => constant;
  switch (expression.kind) {
    case 'string':
    case 'long':
    case 'bool':
      throw new Error('unreachable: literals are constants');
    case 'set': {
      const elements = expression.elements.map(compileExpression);
      return (request) => elements.map((element) => element(request));
    }
    case 'variable':
      throw new Error(`\`${expression.name}\` cannot be used as a value`);
    case 'attribute': {
      const holder = holderOf(expression.object);
      const name = expression.attribute;
      if (holder === 'principal') return (request) => readAttribute('principal', request.principal, name);
      if (holder === 'resource') return (request) => readAttribute('resource', request.resource, name);
      return (request) => readAttribute('context', request.context, name);
    }
    case 'has': {
      const holder = holderOf(expression.object);
      const name = expression.attribute;
      return (request) => {
        const attributes: Attributes = request[holder];
        return attributes[name] !== undefined && Object.hasOwn(attributes, name);
      };
    }
    case 'compare':
      return compileComparison(expression.operator, expression.left, expression.right);
    case 'and':
      return compileConjunction(expression);
    case 'or': {
      const left = compileExpression(expression.left);
      const right = compileExpression(expression.right);
      // Short-circuit exactly like Cedar: `true || x` never evaluates `x`.
      return (request) => {
        const l = left(request);
        if (l === true) return true;
        if (typeof l !== 'boolean') throw typeError('`||`', 'booleans', l);
        const r = right(request);
        if (typeof r !== 'boolean') throw typeError('`||`', 'booleans', r);
        return r;
      };
    }
    case 'not': {
      const operand = compileExpression(expression.operand);
      return (request) => {
        const value = operand(request);
        if (typeof value !== 'boolean') throw typeError('`!`', 'a boolean', value);
        return !value;
      };
    }
    case 'method':
      return compileMethod(expression);
    case 'like': {
      const subject = compileExpression(expression.subject);
      const match = compilePattern(expression.pattern);
      return (request) => {
        const value = subject(request);
        if (typeof value !== 'string') throw typeError('`like`', 'a string', value);
        return match(value);
      };
    }
    case 'if': {
      const condition = compileExpression(expression.condition);
      const then = compileExpression(expression.then);
      const otherwise = compileExpression(expression.else);
      return (request) => {
        const value = condition(request);
        if (typeof value !== 'boolean') throw typeError('`if`', 'a boolean condition', value);
        return value ? then(request) : otherwise(request);
      };
    }
  }
}

/** `a && b && c …` as one loop over the conjuncts (the parser nests them to the left). */
function compileConjunction(expression: Expression): Evaluator {
  const conjuncts: Expression[] = [];
  const pending: Expression[] = [expression];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.kind === 'and') pending.push(next.right, next.left);
    else conjuncts.push(next);
  }
  const evaluators = conjuncts.map(compileExpression);
  // Short-circuit exactly like Cedar: after a `false`, later conjuncts are not evaluated.
  return (request) => {
    for (let i = 0; i < evaluators.length; i++) {
      const value = (evaluators[i] as Evaluator)(request);
      if (value === false) return false;
      if (value !== true) throw typeError('`&&`', 'booleans', value);
    }
    return true;
  };
}

/** `holder.name == constant`: one closure instead of three on the most common condition. */
function compileAttributeEquals(attribute: Extract<Expression, { kind: 'attribute' }>, constant: string | number | boolean, negate: boolean): Evaluator {
  const holder = holderOf(attribute.object);
  const name = attribute.attribute;
  return (request) => {
    const attributes: Attributes = request[holder];
    const value = attributes[name];
    if (value === undefined || !Object.hasOwn(attributes, name)) throw new PolicyEvaluationFault(`\`${holder}\` has no attribute \`${name}\``);
    return (value === constant) !== negate;
  };
}

function compileComparison(operator: string, leftExpression: Expression, rightExpression: Expression): Evaluator {
  const left = compileExpression(leftExpression);
  const right = compileExpression(rightExpression);
  if (operator === '==' || operator === '!=') {
    const negate = operator === '!=';
    const leftConstant = constantOf(leftExpression);
    const rightConstant = constantOf(rightExpression);
    // A scalar constant on one side needs only `===` (a set never equals a scalar).
    if (rightConstant !== undefined && typeof rightConstant !== 'object' && leftExpression.kind === 'attribute') {
      return compileAttributeEquals(leftExpression, rightConstant, negate);
    }
    if (leftConstant !== undefined && typeof leftConstant !== 'object' && rightExpression.kind === 'attribute') {
      return compileAttributeEquals(rightExpression, leftConstant, negate);
    }
    if (rightConstant !== undefined && typeof rightConstant !== 'object') return (request) => (left(request) === rightConstant) !== negate;
    if (leftConstant !== undefined && typeof leftConstant !== 'object') return (request) => (right(request) === leftConstant) !== negate;
    return (request) => valuesEqual(left(request), right(request)) !== negate;
  }
  const label = `\`${operator}\``;
  const longs = (request: PolicyRequest): [number, number] => {
    const l = left(request);
    const r = right(request);
    if (typeof l !== 'number') throw typeError(label, 'longs', l);
    if (typeof r !== 'number') throw typeError(label, 'longs', r);
    return [l, r];
  };
  switch (operator) {
    case '<':
      return (request) => {
        const [l, r] = longs(request);
        return l < r;
      };
    case '<=':
      return (request) => {
        const [l, r] = longs(request);
        return l <= r;
      };
    case '>':
      return (request) => {
        const [l, r] = longs(request);
        return l > r;
      };
    default:
      return (request) => {
        const [l, r] = longs(request);
        return l >= r;
      };
  }
}

function compileMethod(expression: Extract<Expression, { kind: 'method' }>): Evaluator {
  const receiver = compileExpression(expression.receiver);
  const label = `\`.${expression.method}()\``;
  const asSet = (value: Value): readonly Value[] => {
    if (!Array.isArray(value)) throw typeError(label, 'a set', value);
    return value as readonly Value[];
  };
  if (expression.method === 'isEmpty' || expression.argument === undefined) {
    return (request) => asSet(receiver(request)).length === 0;
  }
  const argument = compileExpression(expression.argument);
  switch (expression.method) {
    case 'contains': {
      const constantSet = constantOf(expression.receiver);
      if (Array.isArray(constantSet) && constantSet.every((element) => typeof element !== 'object')) {
        // `["a", "b"].contains(x)` with scalar members: a hash lookup (a set argument is never a member).
        const members = new Set<Value>(constantSet as readonly Value[]);
        return (request) => members.has(argument(request));
      }
      return (request) => setHas(asSet(receiver(request)), argument(request));
    }
    case 'containsAll':
      return (request) => {
        const set = asSet(receiver(request));
        return asSet(argument(request)).every((element) => setHas(set, element));
      };
    default:
      return (request) => {
        const set = asSet(receiver(request));
        return asSet(argument(request)).some((element) => setHas(set, element));
      };
  }
}
