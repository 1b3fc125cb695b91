import type { Bus, Unsubscribe } from '@switchyard/bus';
import type { PolicySet } from '../compile';
import { decide, type PolicyDecision } from '../evaluate';
import { loadPolicySet } from '../load';
import type { PolicyRequest } from '../request';
import type { ActivePolicy, ActivePolicySource } from './active-policy-source';
import { POLICY_CHANGED_CHANNEL, policyChangedMessageSchema } from '@switchyard/events/policy';
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
  /** Decides for the request's `principal.tenant` (loading that tenant's policy only if it was not preloaded). */
  decide(request: PolicyRequest): Promise<PolicyDecisionResult>;
  /**
   * Several decisions for one tenant against one policy version (the tools a request names, its
   * candidate upstreams); results in the order given. Every request must be for `tenantId`.
   */
  decideAll(tenantId: string, requests: readonly PolicyRequest[]): Promise<PolicyDecisionResult[]>;
  /** Synchronous decisions for one tenant against its current policy version (e.g. a router filter). */
  forTenant(tenantId: string): Promise<TenantDecider>;
  /**
   * Compiles every tenant's active policy (data-plane start). Afterwards a tenant without an
   * entry has no active policy, so no decision reads the source until a change event arrives.
   */
  preload(): Promise<void>;
  /** Recompiles the tenant's policy in the background; decisions use the previous one until it is ready. */
  invalidate(tenantId: string): void;
  /** Listens for `switchyard:policy.changed`; resolves once the subscription is active. */
  subscribe(bus: Bus): Promise<Unsubscribe>;
}

export interface TenantDecider {
  readonly policyVersion: number | null;
  /** Throws when the request is for another tenant. Logged like every decision. */
  decide(request: PolicyRequest): PolicyDecisionResult;
}

export interface PolicyDecisionPointOptions {
  source: ActivePolicySource;
  /** Where decisions go for dry runs (off the hot path). */
  log?: DecisionLog;
  /** Called when a stored policy no longer compiles (the tenant is then denied everything). */
  onInvalidStoredPolicy?: (tenantId: string, version: number) => void;
  /** Called when a background reload after a change failed (the tenant's next decision loads it). */
  onReloadError?: (tenantId: string, error: unknown) => void;
}

/** Fails closed: a stored active policy that does not compile denies everything, listed under this id. */
export const UNLOADABLE_POLICY_ID = 'active-policy-unloadable';
const DENY_ALL: PolicySet = (() => {
  const loaded = loadPolicySet(`@id("${UNLOADABLE_POLICY_ID}")\nforbid (principal, action, resource);\n`);
  if (!loaded.ok) throw new Error('deny-all policy does not compile');
  return loaded.policySet;
})();

const DEFAULT_TENANT_POLICY: TenantPolicy = { version: null, policySet: DEFAULT_POLICY_SET };

/**
 * Per-tenant compiled policies. `preload` compiles every tenant's active policy at start; the
 * bus event recompiles one tenant in the background and swaps it in when ready (well under a
 * second after the change), so no decision waits on the database. Until preload has succeeded,
 * or after a background reload failed, a tenant's policy is loaded on its first decision
 * instead. A load that started before a newer change is never stored (generation check).
 */
export function createPolicyDecisionPoint(options: PolicyDecisionPointOptions): PolicyDecisionPoint {
  const compiled = new Map<string, TenantPolicy>();
  const loading = new Map<string, Promise<TenantPolicy>>();
  /** Tenants whose compiled entry is missing or outdated and must be read before deciding. */
  const mustLoad = new Set<string>();
  /** True once every tenant with an active policy is in `compiled`. */
  let complete = false;
  const generations = new Map<string, number>();
  const generationOf = (tenantId: string): number => generations.get(tenantId) ?? 0;

  function compile(tenantId: string, active: ActivePolicy | null): TenantPolicy {
    if (!active) return DEFAULT_TENANT_POLICY;
    const loaded = loadPolicySet(active.text);
    if (loaded.ok) return { version: active.version, policySet: loaded.policySet };
    options.onInvalidStoredPolicy?.(tenantId, active.version);
    return { version: active.version, policySet: DENY_ALL };
  }

  function store(tenantId: string, policy: TenantPolicy): void {
    compiled.set(tenantId, policy);
    mustLoad.delete(tenantId);
  }

  /** The tenant's compiled policy, without I/O when it is known (the hot path); else a load. */
  function tenantPolicy(tenantId: string): TenantPolicy | Promise<TenantPolicy> {
    if (!mustLoad.has(tenantId)) {
      const hit = compiled.get(tenantId);
      if (hit) return hit;
      if (complete) return DEFAULT_TENANT_POLICY;
    }
    const pending = loading.get(tenantId);
    if (pending) return pending;
    const generation = generationOf(tenantId);
    const load = options.source.activePolicy(tenantId).then((active) => {
      const policy = compile(tenantId, active);
      if (generationOf(tenantId) === generation) store(tenantId, policy);
      return policy;
    });
    loading.set(tenantId, load);
    // A failed load is not stored: the next request retries.
    const forget = (): void => {
      if (loading.get(tenantId) === load) loading.delete(tenantId);
    };
    load.then(forget, forget);
    return load;
  }

  function invalidate(tenantId: string): void {
    const generation = generationOf(tenantId) + 1;
    generations.set(tenantId, generation);
    loading.delete(tenantId);
    options.source.activePolicy(tenantId).then(
      (active) => {
        if (generationOf(tenantId) === generation) store(tenantId, compile(tenantId, active));
      },
      (error: unknown) => {
        if (generationOf(tenantId) !== generation) return;
        // Never keep deciding on a policy known to be outdated: the next decision loads (or fails).
        compiled.delete(tenantId);
        mustLoad.add(tenantId);
        options.onReloadError?.(tenantId, error);
      },
    );
  }

  function decideWith(policy: TenantPolicy, request: PolicyRequest): PolicyDecisionResult {
    const decision = decide(policy.policySet, request);
    options.log?.record({ tenantId: request.principal.tenant, request, decision: decision.decision, determiningPolicies: decision.determiningPolicies });
    return { ...decision, policyVersion: policy.version };
  }

  function deciderFor(tenantId: string, policy: TenantPolicy): TenantDecider {
    return {
      policyVersion: policy.version,
      decide(request) {
        // A request for another tenant would be decided on the wrong tenant's policy.
        if (request.principal.tenant !== tenantId) throw new Error('a tenant decider only decides for its own tenant');
        return decideWith(policy, request);
      },
    };
  }

  return {
    async decide(request) {
      return decideWith(await tenantPolicy(request.principal.tenant), request);
    },
    async decideAll(tenantId, requests) {
      const decider = deciderFor(tenantId, await tenantPolicy(tenantId));
      return requests.map((request) => decider.decide(request));
    },
    async forTenant(tenantId) {
      return deciderFor(tenantId, await tenantPolicy(tenantId));
    },
    async preload() {
      if (!options.source.activePolicies) return;
      const started = new Map(generations);
      const all = await options.source.activePolicies();
      const active = new Map(all.map((entry) => [entry.tenantId, entry]));
      for (const tenantId of new Set([...compiled.keys(), ...active.keys()])) {
        // A change event during the preload wins: its own reload is newer than this read.
        if (generationOf(tenantId) !== (started.get(tenantId) ?? 0)) continue;
        const entry = active.get(tenantId);
        if (entry) store(tenantId, compile(tenantId, entry));
        else compiled.delete(tenantId);
      }
      complete = true;
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
