import type { Expression } from './ast';
import { PolicyEvaluationFault } from './errors';
import type { Attributes, PolicyRequest } from './request';
import { compilePattern, setHas, typeOfValue, valuesEqual, type Value } from './values';

/** A slot not read yet during this decision. */
const UNREAD: unique symbol = Symbol('unread');
/** A slot whose attribute the request does not have. */
const MISSING: unique symbol = Symbol('missing');
type Slot = Value | typeof UNREAD | typeof MISSING;
type Holder = 'principal' | 'resource' | 'context';

/**
 * What compiled policies read during one decision. Each attribute a policy set mentions gets a
 * slot, read from the request at most once per decision: a property lookup by a varying name
 * (plus the own-property check) is the expensive part of evaluation; an array load is not.
 */
export interface EvaluationContext {
  readonly request: PolicyRequest;
  readonly slots: Slot[];
}

export type Evaluator = (context: EvaluationContext) => Value;

export function literalValue(expression: Expression): Value | undefined {
  switch (expression.kind) {
    case 'string':
    case 'long':
    case 'bool':
      return expression.value;
    case 'set': {
      const elements = expression.elements.map(literalValue);
      return elements.every((element) => element !== undefined) ? (elements as Value[]) : undefined;
    }
    default:
      return undefined;
  }
}

function holderOf(expression: Expression): Holder {
  if (expression.kind === 'variable' && (expression.name === 'principal' || expression.name === 'resource' || expression.name === 'context')) {
    return expression.name;
  }
  // Unreachable after validation; a guard for trees built by hand.
  throw new Error('attributes can only be read from principal, resource or context');
}

/** Reads an attribute into its slot; only an own, defined property counts (never the prototype's). */
function fillSlot(context: EvaluationContext, index: number, holder: Holder, name: string): Value | typeof MISSING {
  const attributes: Attributes = context.request[holder];
  const value = attributes[name];
  const slot = value !== undefined && Object.hasOwn(attributes, name) ? value : MISSING;
  context.slots[index] = slot;
  return slot;
}

/** Reads an attribute's slot; a direct call (unlike a closure call) that the JIT can inline. */
function readSlot(context: EvaluationContext, site: AttributeSite): Value {
  let slot = context.slots[site.index];
  if (slot === UNREAD) slot = fillSlot(context, site.index, site.holder, site.name);
  if (slot === MISSING) throw site.missing;
  return slot as Value;
}

interface AttributeSite {
  readonly index: number;
  readonly holder: Holder;
  readonly name: string;
  /** Built once per read site and rethrown: a missing attribute is common and must stay cheap. */
  readonly missing: PolicyEvaluationFault;
}

const typeError = (operator: string, wanted: string, value: Value): PolicyEvaluationFault =>
  new PolicyEvaluationFault(`type error: ${operator} expects ${wanted}, got a ${typeOfValue(value)}`);

const ORDERINGS = {
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
} as const;

/** Compiles expressions of one policy set into closures sharing one slot table. */
export class ExpressionCompiler {
  private readonly slotIndexes = new Map<string, number>();

  /** Fresh slots for one decision (a packed array, all unread). */
  newSlots(): Slot[] {
    const slots: Slot[] = [];
    for (let i = 0; i < this.slotIndexes.size; i++) slots.push(UNREAD);
    return slots;
  }

  private slotFor(holder: Holder, name: string): number {
    const key = `${holder}.${name}`;
    let index = this.slotIndexes.get(key);
    if (index === undefined) {
      index = this.slotIndexes.size;
      this.slotIndexes.set(key, index);
    }
    return index;
  }

  compile(expression: Expression): Evaluator {
    const constant = literalValue(expression);
    if (constant !== undefined) return () => constant;
    switch (expression.kind) {
      case 'string':
      case 'long':
      case 'bool':
        throw new Error('unreachable: literals are constants');
      case 'set': {
        const elements = expression.elements.map((element) => this.compile(element));
        return (context) => elements.map((element) => element(context));
      }
      case 'variable':
        throw new Error(`\`${expression.name}\` cannot be used as a value`);
      case 'attribute':
        return this.attribute(expression);
      case 'has': {
        const holder = holderOf(expression.object);
        const name = expression.attribute;
        const index = this.slotFor(holder, name);
        return (context) => {
          let slot = context.slots[index];
          if (slot === UNREAD) slot = fillSlot(context, index, holder, name);
          return slot !== MISSING;
        };
      }
      case 'compare':
        return this.comparison(expression.operator, expression.left, expression.right);
      case 'and':
        return this.conjunction(expression);
      case 'or': {
        const left = this.compile(expression.left);
        const right = this.compile(expression.right);
        // Short-circuit exactly like Cedar: `true || x` never evaluates `x`.
        return (context) => {
          const l = left(context);
          if (l === true) return true;
          if (typeof l !== 'boolean') throw typeError('`||`', 'booleans', l);
          const r = right(context);
          if (typeof r !== 'boolean') throw typeError('`||`', 'booleans', r);
          return r;
        };
      }
      case 'not': {
        const operand = this.compile(expression.operand);
        return (context) => {
          const value = operand(context);
          if (typeof value !== 'boolean') throw typeError('`!`', 'a boolean', value);
          return !value;
        };
      }
      case 'method':
        return this.method(expression);
      case 'like': {
        const subject = this.compile(expression.subject);
        const match = compilePattern(expression.pattern);
        return (context) => {
          const value = subject(context);
          if (typeof value !== 'string') throw typeError('`like`', 'a string', value);
          return match(value);
        };
      }
      case 'if': {
        const condition = this.compile(expression.condition);
        const then = this.compile(expression.then);
        const otherwise = this.compile(expression.else);
        return (context) => {
          const value = condition(context);
          if (typeof value !== 'boolean') throw typeError('`if`', 'a boolean condition', value);
          return value ? then(context) : otherwise(context);
        };
      }
    }
  }

  /** The conjuncts of a left-nested `a && b && c …`, in evaluation order. */
  conjunctsOf(expression: Expression): Expression[] {
    const conjuncts: Expression[] = [];
    const pending: Expression[] = [expression];
    for (let next = pending.pop(); next; next = pending.pop()) {
      if (next.kind === 'and') pending.push(next.right, next.left);
      else conjuncts.push(next);
    }
    return conjuncts;
  }

  private site(expression: Extract<Expression, { kind: 'attribute' }>): AttributeSite {
    const holder = holderOf(expression.object);
    const name = expression.attribute;
    return { index: this.slotFor(holder, name), holder, name, missing: new PolicyEvaluationFault(`\`${holder}\` has no attribute \`${name}\``) };
  }

  private attribute(expression: Extract<Expression, { kind: 'attribute' }>): Evaluator {
    const site = this.site(expression);
    return (context) => readSlot(context, site);
  }

  /** `a && b && c …` as one loop (the parser nests them to the left). */
  private conjunction(expression: Expression): Evaluator {
    const evaluators = this.conjunctsOf(expression).map((conjunct) => this.compile(conjunct));
    // Short-circuit exactly like Cedar: after a `false`, later conjuncts are not evaluated.
    return (context) => {
      for (let i = 0; i < evaluators.length; i++) {
        const value = (evaluators[i] as Evaluator)(context);
        if (value === false) return false;
        if (value !== true) throw typeError('`&&`', 'booleans', value);
      }
      return true;
    };
  }

  private comparison(operator: string, leftExpression: Expression, rightExpression: Expression): Evaluator {
    const left = this.compile(leftExpression);
    const right = this.compile(rightExpression);
    if (operator === '==' || operator === '!=') {
      const negate = operator === '!=';
      const leftConstant = literalValue(leftExpression);
      const rightConstant = literalValue(rightExpression);
      // A scalar constant on one side needs only `===` (a set never equals a scalar).
      if (rightConstant !== undefined && typeof rightConstant !== 'object' && leftExpression.kind === 'attribute') {
        const site = this.site(leftExpression);
        return (context) => (readSlot(context, site) === rightConstant) !== negate;
      }
      if (rightConstant !== undefined && typeof rightConstant !== 'object') return (context) => (left(context) === rightConstant) !== negate;
      if (leftConstant !== undefined && typeof leftConstant !== 'object') return (context) => (right(context) === leftConstant) !== negate;
      return (context) => valuesEqual(left(context), right(context)) !== negate;
    }
    const label = `\`${operator}\``;
    const bound = literalValue(rightExpression);
    if (leftExpression.kind === 'attribute' && typeof bound === 'number') {
      // `context.hour < 6`: the most common ordering test, without closure calls.
      const site = this.site(leftExpression);
      const compare = ORDERINGS[operator as keyof typeof ORDERINGS];
      return (context) => {
        const value = readSlot(context, site);
        if (typeof value !== 'number') throw typeError(label, 'longs', value);
        return compare(value, bound);
      };
    }
    const longs = (context: EvaluationContext): [number, number] => {
      const l = left(context);
      const r = right(context);
      if (typeof l !== 'number') throw typeError(label, 'longs', l);
      if (typeof r !== 'number') throw typeError(label, 'longs', r);
      return [l, r];
    };
    switch (operator) {
      case '<':
        return (context) => {
          const [l, r] = longs(context);
          return l < r;
        };
      case '<=':
        return (context) => {
          const [l, r] = longs(context);
          return l <= r;
        };
      case '>':
        return (context) => {
          const [l, r] = longs(context);
          return l > r;
        };
      default:
        return (context) => {
          const [l, r] = longs(context);
          return l >= r;
        };
    }
  }

  private method(expression: Extract<Expression, { kind: 'method' }>): Evaluator {
    const receiver = this.compile(expression.receiver);
    const label = `\`.${expression.method}()\``;
    const asSet = (value: Value): readonly Value[] => {
      if (!Array.isArray(value)) throw typeError(label, 'a set', value);
      return value as readonly Value[];
    };
    if (expression.method === 'isEmpty' || expression.argument === undefined) {
      return (context) => asSet(receiver(context)).length === 0;
    }
    const argument = this.compile(expression.argument);
    switch (expression.method) {
      case 'contains': {
        const constantSet = literalValue(expression.receiver);
        const constantMember = literalValue(expression.argument);
        if (expression.receiver.kind === 'attribute' && constantMember !== undefined && typeof constantMember !== 'object') {
          // `principal.roles.contains("admin")`, without closure calls.
          const site = this.site(expression.receiver);
          return (context) => asSet(readSlot(context, site)).includes(constantMember);
        }
        if (Array.isArray(constantSet) && constantSet.every((element) => typeof element !== 'object') && expression.argument.kind === 'attribute') {
          const members = new Set<Value>(constantSet as readonly Value[]);
          const site = this.site(expression.argument);
          return (context) => members.has(readSlot(context, site));
        }
        if (Array.isArray(constantSet) && constantSet.every((element) => typeof element !== 'object')) {
          // `["a", "b"].contains(x)` with scalar members: a hash lookup (a set argument is never a member).
          const members = new Set<Value>(constantSet as readonly Value[]);
          return (context) => members.has(argument(context));
        }
        return (context) => setHas(asSet(receiver(context)), argument(context));
      }
      case 'containsAll':
        return (context) => {
          const set = asSet(receiver(context));
          return asSet(argument(context)).every((element) => setHas(set, element));
        };
      default:
        return (context) => {
          const set = asSet(receiver(context));
          return asSet(argument(context)).some((element) => setHas(set, element));
        };
    }
  }
}
