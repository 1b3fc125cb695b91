import type { Bus, Unsubscribe } from '../../bus/bus';
import type { PolicySet } from '../compile';
import { decide, type PolicyDecision } from '../evaluate';
import { loadPolicySet } from '../load';
import type { PolicyRequest } from '../request';
import type { ActivePolicySource } from './active-policy-source';
import { POLICY_CHANGED_CHANNEL, policyChangedMessageSchema } from './channel';
import type { DecisionLog } from './decision-log';
import { DEFAULT_POLICY_SET } from './default-policy';

export interface TenantPolicy {
  /** Null: the tenant has no active policy and the default (allow all) applies. */
  version: number | null;
  policySet: PolicySet;
}

export interface PolicyDecisionResult extends PolicyDecision {
  policyVersion: number | null;
}

export interface PolicyDecisionPoint {
  /** Decides for the request's `principal.tenant`; loads and compiles that tenant's active policy on first use. */
  decide(request: PolicyRequest): Promise<PolicyDecisionResult>;
  /** Drops the tenant's compiled policy; the next decision reloads it. */
  invalidate(tenantId: string): void;
  /** Listens for `switchyard:policy.changed`; resolves once the subscription is active. */
  subscribe(bus: Bus): Promise<Unsubscribe>;
}

export interface PolicyDecisionPointOptions {
  source: ActivePolicySource;
  /** Where decisions go for dry runs (off the hot path). */
  log?: DecisionLog;
  /** Called when a stored policy no longer compiles (the tenant is then denied everything). */
  onInvalidStoredPolicy?: (tenantId: string, version: number) => void;
}

/** Fails closed: a stored active policy that does not compile denies everything, listed under this id. */
export const UNLOADABLE_POLICY_ID = 'active-policy-unloadable';
const DENY_ALL: PolicySet = (() => {
  const loaded = loadPolicySet(`@id("${UNLOADABLE_POLICY_ID}")\nforbid (principal, action, resource);\n`);
  if (!loaded.ok) throw new Error('deny-all policy does not compile');
  return loaded.policySet;
})();

/**
 * Per-tenant compiled policy cache. A decision after the first one for a tenant does no I/O:
 * it awaits an already-settled promise and evaluates compiled closures. The bus event drops the
 * tenant's entry, so the next request loads the new active version (well under a second after
 * the change). A load that started before an invalidation is not cached (generation check).
 */
export function createPolicyDecisionPoint(options: PolicyDecisionPointOptions): PolicyDecisionPoint {
  const cache = new Map<string, Promise<TenantPolicy>>();
  const generations = new Map<string, number>();

  async function load(tenantId: string): Promise<TenantPolicy> {
    const active = await options.source.activePolicy(tenantId);
    if (!active) return { version: null, policySet: DEFAULT_POLICY_SET };
    const loaded = loadPolicySet(active.text);
    if (loaded.ok) return { version: active.version, policySet: loaded.policySet };
    options.onInvalidStoredPolicy?.(tenantId, active.version);
    return { version: active.version, policySet: DENY_ALL };
  }

  function tenantPolicy(tenantId: string): Promise<TenantPolicy> {
    const hit = cache.get(tenantId);
    if (hit) return hit;
    const generation = generations.get(tenantId) ?? 0;
    const loading = load(tenantId);
    cache.set(tenantId, loading);
    // A failed load is not cached: the next request retries.
    loading.catch(() => {
      if ((generations.get(tenantId) ?? 0) === generation && cache.get(tenantId) === loading) cache.delete(tenantId);
    });
    return loading;
  }

  function invalidate(tenantId: string): void {
    generations.set(tenantId, (generations.get(tenantId) ?? 0) + 1);
    cache.delete(tenantId);
  }

  return {
    async decide(request) {
      const policy = await tenantPolicy(request.principal.tenant);
      const decision = decide(policy.policySet, request);
      options.log?.record({ tenantId: request.principal.tenant, request, decision: decision.decision, determiningPolicies: decision.determiningPolicies });
      return { ...decision, policyVersion: policy.version };
    },
    invalidate,
    subscribe(bus) {
      return bus.subscribe(POLICY_CHANGED_CHANNEL, (message) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message);
        } catch {
          return;
        }
        const result = policyChangedMessageSchema.safeParse(parsed);
        if (result.success) invalidate(result.data.tenantId);
      });
    },
  };
}
