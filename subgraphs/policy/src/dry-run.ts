import { decide, policyRequestSchema, type PolicyRequest, type PolicySet } from '@switchyard/data-plane/policy';

export interface ReplayableDecision {
  loggedAt: Date;
  request: unknown;
}

export interface DecisionFlip {
  loggedAt: Date;
  request: PolicyRequest;
  before: 'allow' | 'deny';
  beforePolicies: string[];
  after: 'allow' | 'deny';
  afterPolicies: string[];
}

export interface ReplayResult {
  /** Logged requests that were replayed (malformed log rows are skipped). */
  replayed: number;
  flips: DecisionFlip[];
}

/**
 * Replays logged decision requests against the active and the proposed policy set and lists
 * every request whose allow/deny outcome differs. Pure: the caller loads and compiles.
 */
export function replayDecisions(active: PolicySet, proposed: PolicySet, logged: readonly ReplayableDecision[]): ReplayResult {
  const flips: DecisionFlip[] = [];
  let replayed = 0;
  for (const entry of logged) {
    const parsed = policyRequestSchema.safeParse(entry.request);
    if (!parsed.success) continue;
    replayed += 1;
    const request = parsed.data;
    const before = decide(active, request);
    const after = decide(proposed, request);
    if (before.decision === after.decision) continue;
    flips.push({
      loggedAt: entry.loggedAt,
      request,
      before: before.decision,
      beforePolicies: before.determiningPolicies,
      after: after.decision,
      afterPolicies: after.determiningPolicies,
    });
  }
  return { replayed, flips };
}
