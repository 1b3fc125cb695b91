import type { Effect, Expression, Policy } from './ast';
import { ExpressionCompiler, literalValue, type EvaluationContext, type Evaluator } from './compile-expression';
import { PolicyEvaluationFault } from './errors';
import type { PolicyRequest } from './request';
import { validatePolicies } from './validate';
import { typeOfValue, type Value } from './values';

/** One policy turned into closures once, so deciding walks no syntax tree. */
export interface CompiledPolicy {
  readonly id: string;
  readonly effect: Effect;
  /** True when scope and conditions hold; throws `PolicyEvaluationFault` when the policy errors. */
  readonly matches: (context: EvaluationContext) => boolean;
  /**
   * Set when the policy's first condition starts with `principal.tenant == <literal>`: the policy
   * can only be satisfied, or error, for a principal whose tenant is that literal (given the
   * principal has a tenant at all), so other tenants' decisions may skip it.
   */
  readonly tenantGuard: string | number | boolean | undefined;
}

/** The policies that can apply to one action, with a second index by tenant guard. */
interface ActionBucket {
  readonly all: readonly CompiledPolicy[];
  /** Absent when no policy has a tenant guard, or the index would be too large. */
  readonly byTenant?: ReadonlyMap<Value, readonly CompiledPolicy[]>;
  readonly unguarded: readonly CompiledPolicy[];
}

// Per action, tenants × unguarded policies references at most; beyond that, no tenant index.
const MAX_TENANT_INDEX_SIZE = 1_000_000;

function bucketOf(policies: readonly CompiledPolicy[]): ActionBucket {
  const unguarded = policies.filter((policy) => policy.tenantGuard === undefined);
  const tenants = new Set(policies.flatMap((policy) => (policy.tenantGuard === undefined ? [] : [policy.tenantGuard])));
  if (tenants.size === 0 || tenants.size * unguarded.length > MAX_TENANT_INDEX_SIZE) return { all: policies, unguarded };
  const byTenant = new Map<Value, readonly CompiledPolicy[]>();
  for (const tenant of tenants) {
    // Filtering the full list keeps document order.
    byTenant.set(
      tenant,
      policies.filter((policy) => policy.tenantGuard === undefined || policy.tenantGuard === tenant),
    );
  }
  return { all: policies, byTenant, unguarded };
}

/**
 * A validated, compiled policy set, indexed by action (and within an action by tenant guard) so
 * a decision only evaluates the policies that can apply to the request. Build with
 * `compilePolicySet`.
 */
export class PolicySet {
  private readonly byAction = new Map<string, ActionBucket>();
  private readonly forAnyAction: ActionBucket;
  private readonly expressions = new ExpressionCompiler();

  constructor(readonly policies: readonly Policy[]) {
    const compiled = policies.map((policy) => compilePolicy(policy, this.expressions));
    const named = new Set(policies.flatMap((policy) => actionsOf(policy) ?? []));
    this.forAnyAction = bucketOf(compiled.filter((_, i) => actionsOf(policies[i] as Policy) === undefined));
    for (const action of named) {
      // Keep document order, so determining policies are listed in the order they were written.
      const applicable = compiled.filter((_, i) => {
        const actions = actionsOf(policies[i] as Policy);
        return actions === undefined || actions.includes(action);
      });
      this.byAction.set(action, bucketOf(applicable));
    }
  }

  /** The policies `decide` must evaluate for this request, in document order. */
  candidatesFor(request: PolicyRequest): readonly CompiledPolicy[] {
    const bucket = this.byAction.get(request.action) ?? this.forAnyAction;
    if (bucket.byTenant === undefined) return bucket.all;
    const principal = request.principal;
    const tenant = principal.tenant;
    // Without a tenant, guarded policies error (missing attribute): they must be evaluated.
    if (tenant === undefined || !Object.hasOwn(principal, 'tenant')) return bucket.all;
    return bucket.byTenant.get(tenant) ?? bucket.unguarded;
  }

  /** Per-decision state for `CompiledPolicy.matches`. */
  contextFor(request: PolicyRequest): EvaluationContext {
    return { request, slots: this.expressions.newSlots() };
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

interface Check {
  readonly evaluate: Evaluator;
  /** The value that makes the policy not apply: `false` for `when` conjuncts, `true` for `unless`. */
  readonly stopsOn: boolean;
  readonly clause: 'when' | 'unless';
}

function compilePolicy(policy: Policy, expressions: ExpressionCompiler): CompiledPolicy {
  const entityType = policy.resource.kind === 'is' ? policy.resource.entityType : undefined;
  // Cedar evaluates `when1 && !unless1 && …`; a `when` clause's own conjuncts join that chain,
  // which saves a call per policy and keeps the order (and so which errors can happen).
  const checks: Check[] = policy.conditions.flatMap((condition): Check[] =>
    condition.kind === 'when'
      ? expressions.conjunctsOf(condition.body).map((conjunct) => ({ evaluate: expressions.compile(conjunct), stopsOn: false, clause: 'when' as const }))
      : [{ evaluate: expressions.compile(condition.body), stopsOn: true, clause: 'unless' as const }],
  );
  const matches = (context: EvaluationContext): boolean => {
    if (entityType !== undefined && context.request.resource.type !== entityType) return false;
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i] as Check;
      const value = check.evaluate(context);
      if (value === check.stopsOn) return false;
      if (typeof value !== 'boolean') throw new PolicyEvaluationFault(`type error: a \`${check.clause}\` clause evaluated to a ${typeOfValue(value)}, not a boolean`);
    }
    return true;
  };
  return { id: policy.id, effect: policy.effect, matches, tenantGuard: tenantGuardOf(policy) };
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
