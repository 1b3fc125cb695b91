import type { Effect, Expression, Policy } from './ast';
import { ExpressionCompiler, isFault, literalValue, MISSING, readAttribute, runCheck, type Check, type Outcome, type Slot, type SlotSource } from './compile-expression';
import { PolicyEvaluationFault } from './errors';
import type { PolicyRequest } from './request';
import { validatePolicies } from './validate';
import { typeOfValue, type Value } from './values';

/**
 * One policy turned into checks once, so deciding walks no syntax tree. A class, so every
 * compiled policy has the same hidden class and the decision loop stays monomorphic.
 */
export class CompiledPolicy {
  constructor(
    readonly id: string,
    readonly effect: Effect,
    /** From `resource is <Type>`. */
    readonly entityType: string | undefined,
    /** The `when` conjuncts and `unless` clauses, in Cedar's evaluation order (see `matchPolicy`). */
    readonly checks: readonly Check[],
    /** The slot indexes the policy's conditions read; `PolicySet.prepare` fills them. */
    readonly reads: readonly number[],
    /**
     * Set when the policy's first condition starts with `principal.tenant == <literal>`: the policy
     * can only be satisfied, or error, for a principal whose tenant is that literal (given the
     * principal has a tenant at all), so other tenants' decisions may skip it.
     */
    readonly tenantGuard: string | number | boolean | undefined,
  ) {}
}

/** Policies one decision evaluates, in document order, and the attribute slots they read. */
export interface Candidates {
  readonly policies: readonly CompiledPolicy[];
  readonly reads: readonly SlotSource[];
}

/** The policies that can apply to one action, with a second index by tenant guard. */
interface ActionBucket {
  readonly all: Candidates;
  /** Absent when no policy has a tenant guard, or the index would be too large. */
  readonly byTenant?: ReadonlyMap<Value, Candidates>;
  readonly unguarded: Candidates;
}

// Per action, tenants × unguarded policies references at most; beyond that, no tenant index.
const MAX_TENANT_INDEX_SIZE = 1_000_000;

function candidatesOf(policies: readonly CompiledPolicy[], sources: readonly SlotSource[]): Candidates {
  const indexes = new Set(policies.flatMap((policy) => policy.reads));
  return { policies, reads: sources.filter((source) => indexes.has(source.index)) };
}

function bucketOf(policies: readonly CompiledPolicy[], sources: readonly SlotSource[]): ActionBucket {
  const unguarded = candidatesOf(
    policies.filter((policy) => policy.tenantGuard === undefined),
    sources,
  );
  const all = candidatesOf(policies, sources);
  const tenants = new Set(policies.flatMap((policy) => (policy.tenantGuard === undefined ? [] : [policy.tenantGuard])));
  if (tenants.size === 0 || tenants.size * unguarded.policies.length > MAX_TENANT_INDEX_SIZE) return { all, unguarded };
  const byTenant = new Map<Value, Candidates>();
  for (const tenant of tenants) {
    // Filtering the full list keeps document order.
    byTenant.set(
      tenant,
      candidatesOf(
        policies.filter((policy) => policy.tenantGuard === undefined || policy.tenantGuard === tenant),
        sources,
      ),
    );
  }
  return { all, byTenant, unguarded };
}

/**
 * A validated, compiled policy set, indexed by action (and within an action by tenant guard) so
 * a decision only evaluates the policies that can apply to the request. Build with
 * `compilePolicySet`.
 */
export class PolicySet {
  private readonly byAction = new Map<string, ActionBucket>();
  private readonly forAnyAction: ActionBucket;
  /** Slots reused by every decision (see `prepare`). */
  private readonly scratch: Slot[];
  private filling = false;

  constructor(readonly policies: readonly Policy[]) {
    const expressions = new ExpressionCompiler();
    const compiled = policies.map((policy) => compilePolicy(policy, expressions));
    const sources = expressions.sources;
    this.scratch = sources.map(() => MISSING);
    const named = new Set(policies.flatMap((policy) => actionsOf(policy) ?? []));
    this.forAnyAction = bucketOf(
      compiled.filter((_, i) => actionsOf(policies[i] as Policy) === undefined),
      sources,
    );
    for (const action of named) {
      // Keep document order, so determining policies are listed in the order they were written.
      const applicable = compiled.filter((_, i) => {
        const actions = actionsOf(policies[i] as Policy);
        return actions === undefined || actions.includes(action);
      });
      this.byAction.set(action, bucketOf(applicable, sources));
    }
  }

  /** The policies `decide` must evaluate for this request, in document order. */
  candidatesFor(request: PolicyRequest): readonly CompiledPolicy[] {
    return this.select(request).policies;
  }

  /** The candidates for this request, with the attribute slots they read. */
  select(request: PolicyRequest): Candidates {
    const bucket = this.byAction.get(request.action) ?? this.forAnyAction;
    if (bucket.byTenant === undefined) return bucket.all;
    const principal = request.principal;
    const tenant = principal.tenant;
    // Without a tenant, guarded policies error (missing attribute): they must be evaluated.
    if (tenant === undefined || !Object.hasOwn(principal, 'tenant')) return bucket.all;
    return bucket.byTenant.get(tenant) ?? bucket.unguarded;
  }

  /**
   * The slots the candidates read, filled from `request`. The array is reused by the next call:
   * deciding is synchronous and evaluating runs no code of the request's, so one decision's
   * slots are never seen by another. (A getter on the request that decides again while its own
   * slots are being filled gets a fresh array.)
   */
  prepare(candidates: Candidates, request: PolicyRequest): readonly Slot[] {
    const slots = this.filling ? this.scratch.slice() : this.scratch;
    this.filling = true;
    try {
      const reads = candidates.reads;
      for (let i = 0; i < reads.length; i++) {
        const source = reads[i] as SlotSource;
        slots[source.index] = readAttribute(request, source.holder, source.name);
      }
    } finally {
      this.filling = slots !== this.scratch;
    }
    return slots;
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

function compilePolicy(policy: Policy, expressions: ExpressionCompiler): CompiledPolicy {
  // Cedar evaluates `when1 && !unless1 && …`; a `when` clause's own conjuncts join that chain,
  // which saves a call per conjunct and keeps the order (and so which errors can happen).
  const checks: Check[] = policy.conditions.flatMap((condition) =>
    condition.kind === 'when' ? expressions.conjunctsOf(condition.body).map((conjunct) => expressions.check(conjunct, 'when')) : [expressions.check(condition.body, 'unless')],
  );
  const reads = [...new Set(policy.conditions.flatMap((condition) => expressions.slotsRead(condition.body)))];
  return new CompiledPolicy(policy.id, policy.effect, policy.resource.kind === 'is' ? policy.resource.entityType : undefined, checks, reads, tenantGuardOf(policy));
}

/** `true` when the policy's scope and conditions hold, `false` when not, the fault when it errors. */
export function matchPolicy(policy: CompiledPolicy, slots: readonly Slot[], resourceType: string): boolean | PolicyEvaluationFault {
  if (policy.entityType !== undefined && resourceType !== policy.entityType) return false;
  const checks = policy.checks;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i] as Check;
    const value = runCheck(check, slots);
    if (value === check.stopsOn) return false;
    if (typeof value !== 'boolean') return notBoolean(check, value);
  }
  return true;
}

function notBoolean(check: Check, value: Outcome): PolicyEvaluationFault {
  return isFault(value) ? value : new PolicyEvaluationFault(`type error: a \`${check.clause}\` clause evaluated to a ${typeOfValue(value)}, not a boolean`);
}

/** The literal in a leading `principal.tenant == <literal>` of the first clause, if it is a `when`. */
function tenantGuardOf(policy: Policy): string | number | boolean | undefined {
  const [first] = policy.conditions;
  if (first?.kind !== 'when') return undefined;
  let leading = first.body;
  while (leading.kind === 'and') leading = leading.left;
  if (leading.kind !== 'compare' || leading.operator !== '==') return undefined;
  const isTenant = (e: Expression): boolean =>
    e.kind === 'attribute' && e.attribute === 'tenant' && e.object.kind === 'variable' && e.object.name === 'principal';
  const constant = isTenant(leading.left) ? literalValue(leading.right) : isTenant(leading.right) ? literalValue(leading.left) : undefined;
  return constant === undefined || typeof constant === 'object' ? undefined : constant;
}
