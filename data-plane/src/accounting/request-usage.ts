import type { LegRecord } from '../domain/upstream-leg';
import type { CompletedRequest } from './usage-recorder';
import { MAX_ROUTE_LEGS, type ExperimentArmRecord } from '@switchyard/events/usage';

/** How an accepted request ended, as far as billing is concerned. */
export interface RequestOutcome {
  /** The data plane's own id of the request. */
  requestId: string;
  /** The client's x-request-id, when it sent one. */
  clientRequestId?: string | undefined;
  /** The request's trace (W3C), when traced: the usage event carries it to the consumers. */
  traceparent?: string | undefined;
  tenantId: string;
  apiKeyId: string | null;
  /** The route or model the client named. */
  requestedModel: string;
  route: { name: string; configured: boolean; strategy: string; priors?: 'active' | 'canary' | undefined };
  /** The provider first in the plan: named when no upstream served. */
  plannedProvider: string | undefined;
  /** The upstream that answered (fully or in part) and the tokens it generated; absent when none did. */
  served?: { provider: string; model: string; promptTokens: number; completionTokens: number };
  status: 'ok' | 'error';
  /** Every other leg of every round: lost races, upstreams that failed before or during their answer. */
  legs: readonly LegRecord[];
  piiRedactions: Readonly<Record<string, number>>;
  /** Epoch milliseconds. */
  startedAt: number;
  endedAt: number;
  /** The experiment arm, when the route runs an experiment the request took part in. */
  experiment?: ExperimentArmRecord;
}

/**
 * The usage record of one request (priced and put on the usage stream by the usage recorder).
 * Pure. Exactly what was generated is billed: the serving upstream's tokens, plus what lost or
 * failed legs generated (usually nothing: a lost leg is cancelled before its first token). The
 * model that served is what is priced; a request no upstream served keeps the name the client
 * sent, and a provider that failed before answering billed nothing.
 */
export function usageRecordOf(outcome: RequestOutcome): CompletedRequest {
  const { served, legs, status } = outcome;
  let otherPrompt = 0;
  let otherCompletion = 0;
  let won = false;
  for (const leg of legs) {
    if (leg.outcome === 'won') won = true;
    else {
      otherPrompt += leg.promptTokens;
      otherCompletion += leg.completionTokens;
    }
  }
  // The router records the winning leg before its answer is counted: it carries what was served (the request log shows it per leg).
  const routeLegs = legs.map((leg) =>
    leg.outcome === 'won' && served
      ? { upstream: leg.upstream, model: leg.model, outcome: leg.outcome, promptTokens: served.promptTokens, completionTokens: served.completionTokens }
      : { upstream: leg.upstream, model: leg.model, outcome: leg.outcome, promptTokens: leg.promptTokens, completionTokens: leg.completionTokens },
  );
  // The serving leg is listed from `legs` when the router recorded it as won; otherwise it is added, won or failed mid-answer.
  if (served && !won) {
    routeLegs.push({
      upstream: `${served.provider}/${served.model}`,
      model: served.model,
      outcome: status === 'ok' ? 'won' : 'failed',
      promptTokens: served.promptTokens,
      completionTokens: served.completionTokens,
    });
  }
  return {
    requestId: outcome.requestId,
    ...(outcome.clientRequestId === undefined ? {} : { clientRequestId: outcome.clientRequestId }),
    ...(outcome.traceparent === undefined ? {} : { traceparent: outcome.traceparent }),
    tenantId: outcome.tenantId,
    apiKeyId: outcome.apiKeyId,
    model: served?.model ?? outcome.requestedModel,
    provider: served?.provider ?? outcome.plannedProvider ?? 'none',
    promptTokens: (served ? served.promptTokens : 0) + otherPrompt,
    completionTokens: (served ? served.completionTokens : 0) + otherCompletion,
    latencyMs: outcome.endedAt - outcome.startedAt,
    status,
    completedAt: new Date(outcome.endedAt),
    piiRedactions: outcome.piiRedactions,
    route: {
      name: outcome.route.name,
      configured: outcome.route.configured,
      strategy: outcome.route.strategy,
      candidate: served ? `${served.provider}/${served.model}` : null,
      legs: routeLegs.length > MAX_ROUTE_LEGS ? routeLegs.slice(0, MAX_ROUTE_LEGS) : routeLegs,
      ...(outcome.route.priors ? { priors: outcome.route.priors } : {}),
    },
    ...(outcome.experiment ? { experiment: outcome.experiment } : {}),
  };
}
