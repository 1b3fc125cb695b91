import type { Principal } from '@switchyard/identity';
import type { FormattedExecutionResult } from 'graphql';
import { GATEWAY_ERRORS } from '@switchyard/subgraph-kit/errors';
import type { Authentication } from '../http/authenticate';
import type { Logger } from '../logger';
import type { ChannelHub } from './channel-hub';
import { UNCHANGED, createCoalescingRefresh, type CoalescingRefresh } from './coalescing-refresh';
import type { SubscriptionPlan } from './subscription-plan';

/** Runs a subscription's query under a principal (through the gateway, as an HTTP query would run). */
export type RunPlan = (plan: SubscriptionPlan, principal: Principal) => Promise<FormattedExecutionResult>;

/** Checks a subscriber's credentials again (the same caches as HTTP). */
export type Reauthenticate = (authorization: unknown) => Promise<Authentication>;

export interface SharedRefreshOptions {
  hub: ChannelHub;
  runPlan: RunPlan;
  reauthenticate: Reauthenticate;
  /** A result after which a subscription ends (a final error code). */
  isFinal: (result: FormattedExecutionResult) => boolean;
  logger: Logger;
}

export interface SharedRefreshes {
  /**
   * The stream of states for one subscriber: joins (or opens) the group of subscriptions that
   * share its answer, and leaves it when the stream ends. Rejects when the bus cannot be listened to.
   */
  join(plan: SubscriptionPlan, principal: Principal, authorization: unknown): Promise<CoalescingRefresh<FormattedExecutionResult>>;
  /** Groups open on this process (one per tenant, caller class and selection). */
  groupCount(): number;
}

/**
 * One credential check per authorization value per event-loop turn: a fan-out wakes every member of
 * a group in the same turn, and a caller's sockets (up to SUBSCRIPTIONS_MAX_SOCKETS_PER_PRINCIPAL)
 * carry the same value. Within one turn the caches below give the same answer anyway; the memo is
 * dropped at the next turn, so a revocation is seen by the next push as before.
 */
export function checkOncePerTurn(check: Reauthenticate): Reauthenticate {
  let memo: Map<unknown, Promise<Authentication>> | undefined;
  return (authorization) => {
    if (typeof authorization !== 'string') return check(authorization);
    if (!memo) {
      memo = new Map();
      setImmediate(() => (memo = undefined));
    }
    let answer = memo.get(authorization);
    if (!answer) {
      answer = check(authorization);
      memo.set(authorization, answer);
    }
    return answer;
  };
}

/**
 * Who may share an answer: the subscription queries (SUBSCRIPTION_ROUTES) are tenant reads whose
 * answer the subgraphs decide from the caller's tenant and roles alone, never from who the caller
 * is (no subscription field reads the subject, the e-mail or the key id). Two callers with the same
 * tenant and roles therefore get the same answer, and one run serves both.
 */
export function answerClass(principal: Principal): string {
  let known = answerClasses.get(principal);
  if (known === undefined) {
    known = JSON.stringify([principal.tenantId, [...principal.roles].sort()]);
    answerClasses.set(principal, known);
  }
  return known;
}

/**
 * Asked for every member at every push; the credential caches hand back the same principal object
 * for a caller, so its class is worked out once per object (principals are not mutated).
 */
const answerClasses = new WeakMap<Principal, string>();

/** Variables in a canonical order, so `{a, b}` and `{b, a}` share a group. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface Member {
  authorization: unknown;
  stream: CoalescingRefresh<FormattedExecutionResult>;
}

interface Group {
  id: string;
  plan: SubscriptionPlan;
  answerClass: string;
  members: Set<Member>;
  /** The last answer of the group's query, shared (never copied) by every member. */
  latest: FormattedExecutionResult | undefined;
  refreshing: boolean;
  dirty: boolean;
  stopListening: (() => void) | undefined;
  /** Resolves once bus events for the group flow. */
  listening: Promise<void>;
}

/**
 * Coalesced refreshes (DESIGN.md §5, issue 16): every subscription on this process with the same
 * field, key (tenant), arguments, selection and answer class is one group; a bus event for the key
 * runs the group's query once (one in flight, events meanwhile fold into one more run) and every
 * member gets the same result object. Each member still checks its own credentials before every
 * push, so a revoked key or a removed membership ends only that member's subscription; a member
 * whose roles changed since it joined gets an answer run under its own principal.
 */
export function createSharedRefreshes(options: SharedRefreshOptions): SharedRefreshes {
  const { logger } = options;
  const groups = new Map<string, Group>();

  const groupKey = (plan: SubscriptionPlan, principal: Principal): string =>
    [plan.route.queryField, plan.key, answerClass(principal), plan.operationName ?? '', plan.queryText, canonicalJson(plan.variables)].join('\u0000');

  /** One run of the group's query, under the first member whose credentials still hold and whose class matches. */
  async function runGroup(group: Group): Promise<FormattedExecutionResult | undefined> {
    for (const member of [...group.members]) {
      const current = await options.reauthenticate(member.authorization);
      if (current.ok && answerClass(current.principal) === group.answerClass) return options.runPlan(group.plan, current.principal);
      // A member that can no longer run it learns why at its own push (its stream checks again).
      member.stream.trigger();
    }
    return undefined;
  }

  function refreshGroup(group: Group): void {
    if (group.refreshing) {
      group.dirty = true;
      return;
    }
    group.refreshing = true;
    void (async () => {
      try {
        do {
          group.dirty = false;
          let result: FormattedExecutionResult | undefined;
          try {
            result = await runGroup(group);
          } catch (error) {
            logger.error({ field: group.plan.route.queryField, err: String(error) }, 'shared subscription refresh failed');
            // Masked as the gateway masks any internal failure; not final, so the next event retries.
            result = { errors: [{ message: GATEWAY_ERRORS.definitions.INTERNAL_SERVER_ERROR.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
          }
          if (result === undefined) continue;
          group.latest = result;
          for (const member of group.members) member.stream.trigger();
        } while (group.dirty && group.members.size > 0);
      } finally {
        group.refreshing = false;
      }
    })();
  }

  function leave(group: Group, member: Member): void {
    group.members.delete(member);
    if (group.members.size > 0 || groups.get(group.id) !== group) return;
    groups.delete(group.id);
    group.stopListening?.();
  }

  function openGroup(id: string, plan: SubscriptionPlan, principal: Principal): Group {
    const group: Group = {
      id,
      plan,
      answerClass: answerClass(principal),
      members: new Set(),
      latest: undefined,
      refreshing: false,
      dirty: false,
      stopListening: undefined,
      listening: Promise.resolve(),
    };
    groups.set(id, group);
    // Listen first, then run the first refresh, so no event between the two is lost.
    group.listening = options.hub.listen(plan.route, plan.key, () => refreshGroup(group)).then(
      (stop) => {
        if (groups.get(id) === group) group.stopListening = stop;
        else stop();
        refreshGroup(group);
      },
      (error: unknown) => {
        if (groups.get(id) === group) groups.delete(id);
        throw error;
      },
    );
    return group;
  }

  return {
    async join(plan, principal, authorization) {
      const id = groupKey(plan, principal);
      const group = groups.get(id) ?? openGroup(id, plan, principal);
      let delivered: FormattedExecutionResult | undefined;
      const member: Member = {
        authorization,
        stream: createCoalescingRefresh<FormattedExecutionResult>({
          // This member's own check before every push: the group's answer only if its credentials
          // still hold and still put it in the group's class.
          refresh: async () => {
            const current = await options.reauthenticate(authorization);
            if (!current.ok) return { errors: [{ message: current.message, extensions: { code: current.code } }] };
            if (answerClass(current.principal) !== group.answerClass) return options.runPlan(plan, current.principal);
            const latest = group.latest;
            if (latest === undefined || latest === delivered) return UNCHANGED;
            delivered = latest;
            return latest;
          },
          isFinal: options.isFinal,
          onClose: () => leave(group, member),
        }),
      };
      group.members.add(member);
      try {
        await group.listening;
      } catch (error) {
        await member.stream.return();
        throw error;
      }
      // A group that already has an answer hands it over at once (events since then re-run it).
      if (group.latest !== undefined) member.stream.trigger();
      return member.stream;
    },
    groupCount: () => groups.size,
  };
}
