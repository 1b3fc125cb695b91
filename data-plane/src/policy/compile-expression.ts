import type { Expression } from './ast';
import { PolicyEvaluationFault } from './errors';
import type { Attributes, PolicyRequest } from './request';
import { compilePattern, setHas, typeOfValue, valuesEqual, type Value } from './values';

/** A slot whose attribute the request does not have. */
export const MISSING: unique symbol = Symbol('missing');
export type Slot = Value | typeof MISSING;
export type Holder = 'principal' | 'resource' | 'context';

/**
 * What an expression evaluates to: a value, or the fault that makes its policy error. Faults are
 * returned, never thrown: a missing attribute is an expected outcome, and unwinding a `throw`
 * through the evaluator cost more than the rest of a decision.
 */
export type Outcome = Value | PolicyEvaluationFault;

/**
 * A compiled expression. It reads attributes from `slots`: each attribute the policy set mentions
 * has an index, filled from the request once per decision before any policy runs, so evaluating
 * is array loads and comparisons, never a property lookup by a varying name.
 */
export type Evaluator = (slots: readonly Slot[]) => Outcome;

/** One attribute a slot is filled from. */
export interface SlotSource {
  readonly index: number;
  readonly holder: Holder;
  readonly name: string;
}

/** Reads an attribute for a slot; only an own, defined property counts (never the prototype's). */
export function readAttribute(request: PolicyRequest, holder: Holder, name: string): Slot {
  const attributes: Attributes = request[holder];
  const value = attributes[name];
  return value !== undefined && Object.hasOwn(attributes, name) ? value : MISSING;
}

export const isFault = (outcome: Outcome): outcome is PolicyEvaluationFault => outcome instanceof PolicyEvaluationFault;

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

interface AttributeSite {
  readonly index: number;
  /** Built once per read site and returned: a missing attribute is common and must stay cheap. */
  readonly missing: PolicyEvaluationFault;
}

/** A type error for `value`, or `value` itself when it already is a fault (it happened first). */
function typeError(operator: string, wanted: string, value: Outcome): PolicyEvaluationFault {
  if (isFault(value)) return value;
  return new PolicyEvaluationFault(`type error: ${operator} expects ${wanted}, got a ${typeOfValue(value)}`);
}

type AttributeScalarValue = string | number | boolean;

/**
 * Membership in a constant set of scalars. A short set is scanned (cheaper than hashing the
 * probe); a long one is a hash lookup. A set value is never a member of a scalar set.
 */
function memberTest(members: readonly AttributeScalarValue[]): (value: Value) => boolean {
  if (members.length > 8) {
    const lookup = new Set<Value>(members);
    return (value) => lookup.has(value);
  }
  return (value) => {
    for (let i = 0; i < members.length; i++) if (members[i] === value) return true;
    return false;
  };
}

const ORDERINGS = {
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
} as const;

/** How a check is run: a simple test inline (no call), anything else through its closure. */
export const enum CheckOp {
  Closure,
  Has,
  Equals,
  Less,
  LessOrEqual,
  Greater,
  GreaterOrEqual,
  SetContains,
  InConstants,
}

/**
 * One conjunct of a policy's `when` chain, or one `unless` clause. Every check is an instance of
 * this class with its fields set in one order, so the decision loop sees one hidden class; the
 * common simple tests (`has`, an attribute compared with a constant, membership) run inline in
 * that loop instead of through a closure call, which is the main cost of evaluating a policy.
 */
export class Check {
  constructor(
    readonly op: CheckOp,
    /** The attribute slot a simple check reads (-1 for closures). */
    readonly index: number,
    /** Equals: the scalar compared with; orderings: the bound; SetContains: the member. */
    readonly constant: string | number | boolean,
    /** Equals: `!=` instead of `==`. */
    readonly negate: boolean,
    /** InConstants: the scalar members. */
    readonly members: readonly (string | number | boolean)[],
    /** Returned when the attribute is missing. */
    readonly missing: PolicyEvaluationFault | undefined,
    readonly evaluate: Evaluator | undefined,
    /** The value that makes the policy not apply: `false` for `when` conjuncts, `true` for `unless`. */
    readonly stopsOn: boolean,
    readonly clause: 'when' | 'unless',
  ) {}
}

/** Runs a check against the slots; the result is a boolean, a fault, or (closures only) another value. */
export function runCheck(check: Check, slots: readonly Slot[]): Outcome {
  if (check.op === CheckOp.Closure) return (check.evaluate as Evaluator)(slots);
  const slot = slots[check.index] as Slot;
  switch (check.op) {
    case CheckOp.Has:
      return slot !== MISSING;
    case CheckOp.Equals:
      if (slot === check.constant) return !check.negate;
      return slot === MISSING ? (check.missing as PolicyEvaluationFault) : check.negate;
    case CheckOp.InConstants: {
      if (slot === MISSING) return check.missing as PolicyEvaluationFault;
      const members = check.members;
      for (let i = 0; i < members.length; i++) if (members[i] === slot) return true;
      return false;
    }
    case CheckOp.SetContains:
      if (Array.isArray(slot)) return slot.includes(check.constant);
      return slot === MISSING ? (check.missing as PolicyEvaluationFault) : typeError('`.contains()`', 'a set', slot);
    default: {
      if (typeof slot !== 'number') return slot === MISSING ? (check.missing as PolicyEvaluationFault) : typeError(ORDERING_LABELS[check.op] ?? '`<`', 'longs', slot);
      const bound = check.constant as number;
      switch (check.op) {
        case CheckOp.Less:
          return slot < bound;
        case CheckOp.LessOrEqual:
          return slot <= bound;
        case CheckOp.Greater:
          return slot > bound;
        default:
          return slot >= bound;
      }
    }
  }
}

const ORDERING_OPS: Readonly<Record<string, CheckOp>> = { '<': CheckOp.Less, '<=': CheckOp.LessOrEqual, '>': CheckOp.Greater, '>=': CheckOp.GreaterOrEqual };
const ORDERING_LABELS: Readonly<Partial<Record<CheckOp, string>>> = { [CheckOp.Less]: '`<`', [CheckOp.LessOrEqual]: '`<=`', [CheckOp.Greater]: '`>`', [CheckOp.GreaterOrEqual]: '`>=`' };

/** Compiles expressions of one policy set into closures sharing one slot table. */
export class ExpressionCompiler {
  private readonly slotIndexes = new Map<string, SlotSource>();

  /** Every attribute slot, by index. */
  get sources(): readonly SlotSource[] {
    return [...this.slotIndexes.values()];
  }

  /** The slot indexes an expression reads (so a subset of policies fills only its own slots). */
  slotsRead(expression: Expression): number[] {
    const indexes: number[] = [];
    const visit = (e: Expression): void => {
      switch (e.kind) {
        case 'attribute':
        case 'has':
          indexes.push(this.slotFor(holderOf(e.object), e.attribute));
          return;
        case 'set':
          e.elements.forEach(visit);
          return;
        case 'compare':
        case 'and':
        case 'or':
          visit(e.left);
          visit(e.right);
          return;
        case 'not':
          visit(e.operand);
          return;
        case 'method':
          visit(e.receiver);
          if (e.argument) visit(e.argument);
          return;
        case 'like':
          visit(e.subject);
          return;
        case 'if':
          visit(e.condition);
          visit(e.then);
          visit(e.else);
          return;
        default:
          return;
      }
    };
    visit(expression);
    return indexes;
  }

  private slotFor(holder: Holder, name: string): number {
    const key = `${holder}.${name}`;
    let source = this.slotIndexes.get(key);
    if (source === undefined) {
      source = { index: this.slotIndexes.size, holder, name };
      this.slotIndexes.set(key, source);
    }
    return source.index;
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
        return (slots) => {
          const values: Value[] = [];
          for (let i = 0; i < elements.length; i++) {
            const value = (elements[i] as Evaluator)(slots);
            if (isFault(value)) return value;
            values.push(value);
          }
          return values;
        };
      }
      case 'variable':
        throw new Error(`\`${expression.name}\` cannot be used as a value`);
      case 'attribute': {
        const { index, missing } = this.site(expression);
        return (slots) => {
          const slot = slots[index] as Slot;
          return slot === MISSING ? missing : slot;
        };
      }
      case 'has': {
        const index = this.slotFor(holderOf(expression.object), expression.attribute);
        return (slots) => slots[index] !== MISSING;
      }
      case 'compare':
        return this.comparison(expression.operator, expression.left, expression.right);
      case 'and':
        return this.conjunction(expression);
      case 'or': {
        const left = this.compile(expression.left);
        const right = this.compile(expression.right);
        // Short-circuit exactly like Cedar: `true || x` never evaluates `x`.
        return (slots) => {
          const l = left(slots);
          if (l === true) return true;
          if (l !== false) return typeError('`||`', 'booleans', l);
          const r = right(slots);
          return typeof r === 'boolean' ? r : typeError('`||`', 'booleans', r);
        };
      }
      case 'not': {
        const operand = this.compile(expression.operand);
        return (slots) => {
          const value = operand(slots);
          return typeof value === 'boolean' ? !value : typeError('`!`', 'a boolean', value);
        };
      }
      case 'method':
        return this.method(expression);
      case 'like': {
        const subject = this.compile(expression.subject);
        const match = compilePattern(expression.pattern);
        if (expression.subject.kind === 'attribute') {
          // `resource.provider like "…"`: the slot read inline (one call less per evaluation).
          const { index, missing } = this.site(expression.subject);
          return (slots) => {
            const value = slots[index] as Slot;
            if (typeof value === 'string') return match(value);
            return value === MISSING ? missing : typeError('`like`', 'a string', value);
          };
        }
        return (slots) => {
          const value = subject(slots);
          return typeof value === 'string' ? match(value) : typeError('`like`', 'a string', value);
        };
      }
      case 'if': {
        const condition = this.compile(expression.condition);
        const then = this.compile(expression.then);
        const otherwise = this.compile(expression.else);
        return (slots) => {
          const value = condition(slots);
          if (value === true) return then(slots);
          if (value === false) return otherwise(slots);
          return typeError('`if`', 'a boolean condition', value);
        };
      }
    }
  }

  /** A check for one conjunct or `unless` body: inline when it is a simple test, else its closure. */
  check(expression: Expression, clause: 'when' | 'unless'): Check {
    const stopsOn = clause === 'unless';
    const simple = (op: CheckOp, site: AttributeSite, constant: string | number | boolean, negate = false, members: readonly (string | number | boolean)[] = []): Check =>
      new Check(op, site.index, constant, negate, members, site.missing, undefined, stopsOn, clause);
    const scalar = (e: Expression): string | number | boolean | undefined => {
      const value = literalValue(e);
      return value === undefined || typeof value === 'object' ? undefined : value;
    };
    switch (expression.kind) {
      case 'has': {
        const index = this.slotFor(holderOf(expression.object), expression.attribute);
        return new Check(CheckOp.Has, index, false, false, [], undefined, undefined, stopsOn, clause);
      }
      case 'compare': {
        const { left, right, operator } = expression;
        if (operator === '==' || operator === '!=') {
          const rightScalar = scalar(right);
          if (left.kind === 'attribute' && rightScalar !== undefined) return simple(CheckOp.Equals, this.site(left), rightScalar, operator === '!=');
          const leftScalar = scalar(left);
          if (right.kind === 'attribute' && leftScalar !== undefined) return simple(CheckOp.Equals, this.site(right), leftScalar, operator === '!=');
        } else {
          const bound = literalValue(right);
          if (left.kind === 'attribute' && typeof bound === 'number') return simple(ORDERING_OPS[operator] as CheckOp, this.site(left), bound);
        }
        break;
      }
      case 'method': {
        if (expression.method !== 'contains' || expression.argument === undefined) break;
        const member = scalar(expression.argument);
        if (expression.receiver.kind === 'attribute' && member !== undefined) return simple(CheckOp.SetContains, this.site(expression.receiver), member);
        const members = literalValue(expression.receiver);
        if (expression.argument.kind === 'attribute' && Array.isArray(members) && members.every((m) => typeof m !== 'object')) {
          return simple(CheckOp.InConstants, this.site(expression.argument), false, false, members as (string | number | boolean)[]);
        }
        break;
      }
      default:
        break;
    }
    return new Check(CheckOp.Closure, -1, false, false, [], undefined, this.compile(expression), stopsOn, clause);
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
    return { index: this.slotFor(holder, name), missing: new PolicyEvaluationFault(`\`${holder}\` has no attribute \`${name}\``) };
  }

  /** `a && b && c …` as one loop (the parser nests them to the left). */
  private conjunction(expression: Expression): Evaluator {
    const evaluators = this.conjunctsOf(expression).map((conjunct) => this.compile(conjunct));
    // Short-circuit exactly like Cedar: after a `false`, later conjuncts are not evaluated.
    return (slots) => {
      for (let i = 0; i < evaluators.length; i++) {
        const value = (evaluators[i] as Evaluator)(slots);
        if (value === false) return false;
        if (value !== true) return typeError('`&&`', 'booleans', value);
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
      const scalar = rightConstant !== undefined && typeof rightConstant !== 'object' ? rightConstant : leftConstant !== undefined && typeof leftConstant !== 'object' ? leftConstant : undefined;
      const other = scalar === undefined ? undefined : scalar === rightConstant ? leftExpression : rightExpression;
      if (scalar !== undefined && other?.kind === 'attribute') {
        const { index, missing } = this.site(other);
        return (slots) => {
          const slot = slots[index];
          if (slot === scalar) return !negate;
          return slot === MISSING ? missing : negate;
        };
      }
      if (scalar !== undefined) {
        const evaluate = scalar === rightConstant ? left : right;
        return (slots) => {
          const value = evaluate(slots);
          if (value === scalar) return !negate;
          return isFault(value) ? value : negate;
        };
      }
      return (slots) => {
        const l = left(slots);
        if (isFault(l)) return l;
        const r = right(slots);
        if (isFault(r)) return r;
        return valuesEqual(l, r) !== negate;
      };
    }
    const label = `\`${operator}\``;
    const compare = ORDERINGS[operator as keyof typeof ORDERINGS];
    const bound = literalValue(rightExpression);
    if (leftExpression.kind === 'attribute' && typeof bound === 'number') {
      // `context.hour < 6`: the most common ordering test, without closure calls.
      const { index, missing } = this.site(leftExpression);
      return (slots) => {
        const slot = slots[index] as Slot;
        if (typeof slot === 'number') return compare(slot, bound);
        return slot === MISSING ? missing : typeError(label, 'longs', slot);
      };
    }
    return (slots) => {
      const l = left(slots);
      if (typeof l !== 'number') return typeError(label, 'longs', l);
      const r = right(slots);
      if (typeof r !== 'number') return typeError(label, 'longs', r);
      return compare(l, r);
    };
  }

  private method(expression: Extract<Expression, { kind: 'method' }>): Evaluator {
    const receiver = this.compile(expression.receiver);
    const label = `\`.${expression.method}()\``;
    if (expression.method === 'isEmpty' || expression.argument === undefined) {
      return (slots) => {
        const set = receiver(slots);
        return Array.isArray(set) ? set.length === 0 : typeError(label, 'a set', set);
      };
    }
    const argument = this.compile(expression.argument);
    const constantSet = literalValue(expression.receiver);
    const constantArgument = literalValue(expression.argument);
    const scalarMembers = Array.isArray(constantSet) && constantSet.every((element) => typeof element !== 'object') ? memberTest(constantSet as readonly AttributeScalarValue[]) : undefined;
    switch (expression.method) {
      case 'contains': {
        if (expression.receiver.kind === 'attribute' && constantArgument !== undefined && typeof constantArgument !== 'object') {
          // `principal.roles.contains("admin")`, without closure calls.
          const { index, missing } = this.site(expression.receiver);
          return (slots) => {
            const set = slots[index] as Slot;
            if (Array.isArray(set)) return set.includes(constantArgument);
            return set === MISSING ? missing : typeError(label, 'a set', set);
          };
        }
        if (scalarMembers !== undefined && expression.argument.kind === 'attribute') {
          // `["a", "b"].contains(resource.x)`: a hash lookup (a set argument is never a member).
          const { index, missing } = this.site(expression.argument);
          return (slots) => {
            const value = slots[index] as Slot;
            return value === MISSING ? missing : scalarMembers(value);
          };
        }
        if (scalarMembers !== undefined) {
          return (slots) => {
            const value = argument(slots);
            return isFault(value) ? value : scalarMembers(value);
          };
        }
        return (slots) => {
          const set = receiver(slots);
          if (!Array.isArray(set)) return typeError(label, 'a set', set);
          const value = argument(slots);
          return isFault(value) ? value : setHas(set as readonly Value[], value);
        };
      }
      case 'containsAll':
      case 'containsAny': {
        const all = expression.method === 'containsAll';
        if (Array.isArray(constantArgument) && expression.receiver.kind === 'attribute') {
          // `principal.roles.containsAny(["a", "b"])`, without closure calls.
          const members = constantArgument as readonly Value[];
          const { index, missing } = this.site(expression.receiver);
          return (slots) => {
            const set = slots[index] as Slot;
            if (!Array.isArray(set)) return set === MISSING ? missing : typeError(label, 'a set', set);
            const values = set as readonly Value[];
            for (let i = 0; i < members.length; i++) {
              if (setHas(values, members[i] as Value) !== all) return !all;
            }
            return all;
          };
        }
        const constantMembers = Array.isArray(constantSet) && constantSet.every((element) => typeof element !== 'object') ? (constantSet as readonly Value[]) : undefined;
        if (constantMembers !== undefined && expression.argument.kind === 'attribute') {
          // `["search", "calc"].containsAll(context.tool_scope)`: the slot read and the scan inline; a set element is never a member.
          const { index, missing } = this.site(expression.argument);
          return (slots) => {
            const values = slots[index] as Slot;
            if (!Array.isArray(values)) return values === MISSING ? missing : typeError(label, 'a set', values);
            const elements = values as readonly Value[];
            for (let i = 0; i < elements.length; i++) {
              if (constantMembers.includes(elements[i] as Value) !== all) return !all;
            }
            return all;
          };
        }
        if (scalarMembers !== undefined) {
          // `["search", "calc"].containsAll(context.tool_scope)`: membership tests; a set element is never a member.
          return (slots) => {
            const values = argument(slots);
            if (!Array.isArray(values)) return typeError(label, 'a set', values);
            const elements = values as readonly Value[];
            for (let i = 0; i < elements.length; i++) {
              if (scalarMembers(elements[i] as Value) !== all) return !all;
            }
            return all;
          };
        }
        return (slots) => {
          const set = receiver(slots);
          if (!Array.isArray(set)) return typeError(label, 'a set', set);
          const values = argument(slots);
          if (!Array.isArray(values)) return typeError(label, 'a set', values);
          const inSet = (element: Value): boolean => setHas(set as readonly Value[], element);
          return all ? (values as readonly Value[]).every(inSet) : (values as readonly Value[]).some(inSet);
        };
      }
    }
  }
}
