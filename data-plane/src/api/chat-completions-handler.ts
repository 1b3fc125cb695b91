import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { countPromptTokens, estimateCompletionTokens } from '../accounting/token-count';
import type { UsageRecorder } from '../accounting/usage-recorder';
import type { QuotaAlerts } from '../alerts/quota-alerts';
import { MAX_ROUTE_LEGS } from '@switchyard/events/usage';
import { UpstreamError, type CompletionEvent, type FinishReason } from '../adapters/adapter';
import { ApiError } from '../errors';
import { readJsonBody } from '../http/read-json-body';
import { sendError, sendJson, startEventStream } from '../http/respond';
import type { AuthenticatedKey } from '../ingress/authenticate';
import type { RateLimiter } from '../ingress/rate-limit/rate-limiter';
import type { Bus } from '@switchyard/bus';
import { enforceLimits, LimitExceededError, limitWarningHeader } from '../ingress/limits/enforce-limits';
import { LIMIT_WARNING_CHANNEL } from '@switchyard/events/limits';
import type { LimitsConfig } from '../ingress/limits/limits-config';
import { restrictToAllowedRegions } from '../policy/pdp/allowed-regions';
import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from '../tenant-settings/tenant-settings';
import type { TenantSettingsLookup } from '../tenant-settings/settings-cache';

export const LIMIT_WARNING_HEADER = 'x-switchyard-limit-warning';
import { redactChatRequest } from '../ingress/pii/redact-chat-request';
import type { RedactionConfigSource } from '../ingress/pii/redaction-config';
import { OverloadedError } from '../router/adaptive-concurrency';
import { CircuitOpenError, ExecutionFailedError, type Execution, type LegRecord } from '../router/execute';
import type { Router } from '../router/router';
import type { Metrics } from '../telemetry/metrics';
import { inStep, startStep } from '../telemetry/steps';
import type { PolicyDecisionPoint } from '../policy/pdp/decision-point';
import { enforceChatPolicies, refusedUpstreamsError } from './chat-policy-step';
import { parseChatCompletionRequest, type ChatCompletionRequest } from './chat-completion-request';
import {
  chatCompletion,
  chatCompletionChunk,
  contentChunkEncoder,
  sseData,
  SSE_DONE,
  usageChunk,
  usageOf,
  type CompletionIdentity,
} from './chat-completion-response';

export interface ChatCompletionsDeps {
  router: Router;
  rateLimiter: RateLimiter;
  limits: LimitsConfig;
  /** The platform limits with a tenant's quota overrides in place (ingress/limits/tenant-limits.ts). */
  limitsFor?: (settings: TenantSettings) => LimitsConfig;
  /** Per-tenant allowed regions, default data classification and quotas; absent = defaults for every tenant. */
  tenantSettings?: TenantSettingsLookup;
  /** Where limit warnings are published and policy denials appended to the audit stream. */
  bus: Pick<Bus, 'publish' | 'append'>;
  maxBodyBytes: number;
  usage: UsageRecorder;
  metrics: Metrics;
  logger: Logger;
  /** The tenant policy decision point; absent = no policy step (embedders that do not run policies). */
  policy?: PolicyDecisionPoint;
  /** Per-tenant PII redaction applied to every message before routing. */
  redaction: RedactionConfigSource;
  /** Day-quota soft-limit warnings become alerts for the tenant's webhook; absent = header and event only. */
  quotaAlerts?: QuotaAlerts;
}

export interface RequestContext {
  requestId: string;
  startedAt: number;
  key: AuthenticatedKey;
}

/** Why no upstream answered, as the client-facing error. */
function upstreamToApiError(error: unknown): ApiError {
  const reason = error instanceof ExecutionFailedError ? error.reason : error;
  if (reason instanceof UpstreamError) {
    return new ApiError(reason.failure, reason.failure === 'upstream_unavailable' ? { retryAfterSeconds: reason.retryAfterSeconds ?? 1 } : {});
  }
  if (reason instanceof OverloadedError) return new ApiError('overloaded', { retryAfterSeconds: reason.retryAfterSeconds });
  if (reason instanceof CircuitOpenError) {
    return new ApiError('upstream_unavailable', {
      retryAfterSeconds: 1,
      message: 'Every model provider for this request is failing and temporarily taken out of rotation. Retry after the number of seconds in the Retry-After header.',
    });
  }
  return new ApiError('upstream_error');
}

type AnswerOutcome = 'ok' | 'error' | 'cancelled';

/**
 * POST /v1/chat/completions. Order matters: everything that can reject the request (body,
 * schema, model, rate limit) runs before any state is touched, and the usage event is recorded
 * only for requests that reached a provider. The router picks the upstreams, fails over before
 * the first event and races speculative legs; after the first event the answer is committed.
 */
export async function handleChatCompletions(
  deps: ChatCompletionsDeps,
  context: RequestContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const settings = deps.tenantSettings ? deps.tenantSettings.settingsOf(context.key.tenantId) : DEFAULT_TENANT_SETTINGS;
  const limits = deps.limitsFor ? deps.limitsFor(settings) : deps.limits;
  const { chatRequest, target, piiRedactions } = await inStep(deps.metrics, 'ingress', async () => {
    const parsed = parseChatCompletionRequest(await readJsonBody(request, deps.maxBodyBytes));
    const target = deps.router.resolve(parsed.model, context.key.tenantId);
    if (!target) {
      throw new ApiError('model_not_found', {
        param: 'model',
        message: `The model '${parsed.model.slice(0, 256)}' does not exist or is not available. List available models and routes with GET /v1/models.`,
      });
    }
    // Tokens are charged up front, from an estimate: the prompt estimate plus the completion the
    // client allows (max_completion_tokens / max_tokens, else a default). Charging after the answer
    // would let any number of concurrent requests pass a nearly spent quota; an up-front worst
    // case keeps the limit a real ceiling, at the price of over-counting short answers.
    const estimatedTokens = countPromptTokens(parsed) + (parsed.max_completion_tokens ?? parsed.max_tokens ?? limits.defaultCompletionTokens);
    // Per-caller limits: an API key's id, or `user:<sub>` for a person with an access token.
    const subject = { tenantId: context.key.tenantId, apiKeyId: context.key.callerId };
    const warnings = await enforceLimits(deps.rateLimiter, limits, subject, estimatedTokens).catch((error: unknown) => {
      if (error instanceof LimitExceededError) deps.metrics.rateLimitRejections.inc();
      throw error;
    });
    if (warnings.length > 0) {
      response.setHeader(LIMIT_WARNING_HEADER, limitWarningHeader(warnings));
      for (const warning of warnings) {
        deps.bus.publish(LIMIT_WARNING_CHANNEL, JSON.stringify(warning)).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not publish a limit warning'));
      }
      deps.quotaAlerts?.noteWarnings(warnings);
    }
    // Redact before anything else sees the messages: from here on only the redacted request exists,
    // so no provider, log line or stored event can carry the original text. After the rate limit,
    // so rejected floods cost no regex work.
    const redacted = redactChatRequest(parsed, await deps.redaction.policyFor(context.key.tenantId));
    for (const [type, count] of Object.entries(redacted.counts)) deps.metrics.piiRedactions.inc({ type }, count);
    return { chatRequest: redacted.request, target, piiRedactions: redacted.counts };
  });

  const policy = deps.policy;
  const policyStep = policy && { policy, bus: deps.bus, logger: deps.logger, requestId: context.requestId, key: context.key, chatRequest, route: target.route.name, headers: request.headers, tenantSettings: settings };
  // Model or route, then every tool named; the upstream filter (egress, data locality) goes to the router.
  const policyPermissions = policyStep && (await inStep(deps.metrics, 'policy', () => enforceChatPolicies(policyStep)));
  // The tenant's allowed regions filter before the policies: an upstream elsewhere is never used.
  const permissions = restrictToAllowedRegions(policyPermissions, settings.allowedRegions);

  const routing = await inStep(deps.metrics, 'routing_decision', () => deps.router.decide(target, permissions && { allowUpstream: permissions.allow }), { 'switchyard.route': target.route.name });
  if (routing.unserved) {
    const models = target.route.candidates.map((candidate) => candidate.model).join(', ');
    throw new ApiError('route_not_served', {
      message: `No provider on this data plane serves any model of route '${target.route.name}' (${models}) or of its fallbacks. Retrying will not help: ask an administrator to point the route at models listed by GET /v1/models.`,
    });
  }
  const refusedByPolicy = routing.plan.upstreams.length === 0 && permissions && refusedUpstreamsError(policyStep, permissions);
  if (refusedByPolicy) throw refusedByPolicy;
  if (routing.plan.upstreams.length === 0) {
    throw new ApiError('upstream_unavailable', {
      retryAfterSeconds: 60,
      message: `No model of route '${target.route.name}' meets the route's constraints (e.g. its price ceiling). Ask an administrator to fix the route.`,
    });
  }

  // Abort the provider calls when the client goes away before the answer is complete.
  const abort = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) abort.abort(new Error('client disconnected'));
  });

  const tally = { content: '', promptTokens: undefined as number | undefined, completionTokens: undefined as number | undefined };
  let recorded = false;
  // Exactly one usage event per accepted request, whatever path it ends on. Speculative legs
  // that lost are billed for what they actually generated (usually nothing: they are cancelled
  // before their first token), added to the winner's tokens.
  const record = (status: 'ok' | 'error', served: { model: string; provider: string } | undefined, legs: readonly LegRecord[]): void => {
    if (recorded) return;
    recorded = true;
    const step = startStep(deps.metrics, 'accounting');
    const others = legs.filter((leg) => leg.outcome !== 'won');
    const extraPrompt = others.reduce((sum, leg) => sum + leg.promptTokens, 0);
    const extraCompletion = others.reduce((sum, leg) => sum + leg.completionTokens, 0);
    if (legs.length > 1) deps.logger.info({ requestId: context.requestId, legs }, 'request used several upstream legs');
    deps.usage.record({
      requestId: context.requestId,
      tenantId: context.key.tenantId,
      apiKeyId: context.key.apiKeyId,
      // The model that served is what is priced; a request no upstream served keeps the name the client sent.
      model: served?.model ?? chatRequest.model,
      provider: served?.provider ?? routing.plan.upstreams[0]?.provider ?? 'none',
      // A provider that failed before answering billed nothing.
      promptTokens: (served ? (tally.promptTokens ?? countPromptTokens(chatRequest)) : 0) + extraPrompt,
      completionTokens: (served ? (tally.completionTokens ?? estimateCompletionTokens(tally.content)) : 0) + extraCompletion,
      latencyMs: Date.now() - context.startedAt,
      status,
      completedAt: new Date(),
      piiRedactions,
      route: {
        name: target.route.name,
        configured: target.configured,
        strategy: target.route.strategy.kind,
        candidate: served ? `${served.provider}/${served.model}` : null,
        legs: [
          ...legs.map((leg) => ({ upstream: leg.upstream, model: leg.model, outcome: leg.outcome, promptTokens: leg.promptTokens, completionTokens: leg.completionTokens })),
          // The serving leg is not among `legs` (those are the others): it won, or failed mid-answer.
          ...(served && !legs.some((leg) => leg.outcome === 'won')
            ? [{ upstream: `${served.provider}/${served.model}`, model: served.model, outcome: status === 'ok' ? ('won' as const) : ('failed' as const), promptTokens: tally.promptTokens ?? countPromptTokens(chatRequest), completionTokens: tally.completionTokens ?? estimateCompletionTokens(tally.content) }]
            : []),
        ].slice(0, MAX_ROUTE_LEGS),
      },
    });
    step.end();
  };

  // Legs of earlier rounds that failed mid-answer (non-streaming only): billed for what they generated.
  const spent: LegRecord[] = [];
  let plan = routing.plan;
  for (;;) {
    const adapterStep = startStep(deps.metrics, 'adapter_call', { 'switchyard.route': target.route.name });
    let execution: Execution;
    try {
      // Waits for the first event before committing to a 200: an upstream that fails this early
      // is failed over, and if all fail the client still gets a clean error status.
      execution = await deps.router.execute({ ...routing, plan }, chatRequest, abort.signal, context.key.tenantId);
    } catch (error) {
      adapterStep.end(error);
      const legs = error instanceof ExecutionFailedError ? error.legs : [];
      deps.router.completed(routing, { requestId: context.requestId, tenantId: context.key.tenantId, legs });
      record('error', undefined, [...spent, ...legs]);
      deps.logger.warn({ err: error, requestId: context.requestId, route: target.route.name, legs }, 'no upstream answered before the first byte');
      throw upstreamToApiError(error);
    }
    adapterStep.span.setAttribute('switchyard.upstream', execution.winner.upstream.key);
    adapterStep.end();

    const { winner } = execution;
    const identity: CompletionIdentity = {
      id: `chatcmpl-${context.requestId}`,
      created: Math.floor(context.startedAt / 1000),
      // Like OpenAI's aliases: the answer names the model that actually served it.
      model: target.configured ? winner.upstream.model : chatRequest.model,
    };
    const aggregation = startStep(deps.metrics, 'aggregation', { 'switchyard.upstream': winner.upstream.key });
    const answer = chatRequest.stream
      ? await streamAnswer(deps, chatRequest, identity, winner.iterator, winner.first, tally, response, context)
      : await completeAnswer(chatRequest, identity, winner.iterator, winner.first, tally, response);
    const outcome: AnswerOutcome = typeof answer === 'string' ? answer : 'error';
    aggregation.end(outcome === 'error' ? new Error('upstream failed mid-answer') : undefined);

    winner.finish(outcome === 'ok' ? 'success' : outcome === 'error' ? 'failure' : 'cancelled');
    const others = await execution.others;
    deps.router.completed(routing, {
      requestId: context.requestId,
      tenantId: context.key.tenantId,
      legs: others,
      winner: outcome === 'cancelled' ? undefined : { upstream: winner.upstream, success: outcome === 'ok', latencyMs: Date.now() - context.startedAt },
    });

    if (typeof answer !== 'string') {
      // Non-streaming: nothing has reached the client yet, so a mid-answer failure fails over too.
      const tried = new Set([winner.upstream.key, ...others.map((leg) => leg.upstream)]);
      const remaining = plan.upstreams.filter((u) => !tried.has(u.key));
      deps.logger.warn({ err: answer.error, requestId: context.requestId, upstream: winner.upstream.key, remaining: remaining.length }, 'provider failed mid-answer');
      if (remaining.length > 0 && !response.destroyed) {
        spent.push(
          ...others.filter((leg) => leg.outcome !== 'won'),
          {
            upstream: winner.upstream.key,
            model: winner.upstream.model,
            outcome: 'failed',
            attempts: winner.attempts,
            error: answer.error instanceof Error ? answer.error.message : 'failed mid-answer',
            promptTokens: tally.promptTokens ?? countPromptTokens(chatRequest),
            completionTokens: tally.completionTokens ?? estimateCompletionTokens(tally.content),
          },
        );
        Object.assign(tally, { content: '', promptTokens: undefined, completionTokens: undefined });
        plan = { ...plan, upstreams: remaining, speculative: undefined };
        continue;
      }
      if (!response.destroyed) sendError(response, upstreamToApiError(answer.error));
    }

    const served = { model: winner.upstream.model, provider: winner.upstream.provider };
    if (outcome === 'ok') afterResponse(response, () => record('ok', served, [...spent, ...others]));
    else record('error', served, [...spent, ...others]);
    return;
  }
}

type Tally = { content: string; promptTokens: number | undefined; completionTokens: number | undefined };

function apply(event: CompletionEvent, tally: Tally): FinishReason | undefined {
  if (event.type === 'delta') tally.content += event.content;
  if (event.type === 'usage') {
    tally.promptTokens = event.promptTokens;
    tally.completionTokens = event.completionTokens;
  }
  return event.type === 'finish' ? event.finishReason : undefined;
}

/** Runs `fn` once the response is closed (flushed or the client gone), even if that already happened. */
function afterResponse(response: ServerResponse, fn: () => void): void {
  if (response.closed) fn();
  else response.once('close', fn);
}

/** Buffers the whole answer, then sends it; a failure is returned (nothing was sent) so the caller can fail over. */
async function completeAnswer(
  chatRequest: ChatCompletionRequest,
  identity: CompletionIdentity,
  iterator: AsyncIterator<CompletionEvent>,
  first: IteratorResult<CompletionEvent>,
  tally: Tally,
  response: ServerResponse,
): Promise<AnswerOutcome | { error: unknown }> {
  let finishReason: FinishReason = 'stop';
  try {
    for (let step = first; !step.done; step = await iterator.next()) finishReason = apply(step.value, tally) ?? finishReason;
  } catch (error) {
    await iterator.return?.().catch(() => undefined);
    if (response.destroyed) return 'cancelled';
    return { error };
  }
  const promptTokens = tally.promptTokens ?? countPromptTokens(chatRequest);
  const completionTokens = tally.completionTokens ?? estimateCompletionTokens(tally.content);
  sendJson(response, 200, chatCompletion(identity, tally.content, finishReason, usageOf(promptTokens, completionTokens)));
  return 'ok';
}

async function streamAnswer(
  deps: ChatCompletionsDeps,
  chatRequest: ChatCompletionRequest,
  identity: CompletionIdentity,
  iterator: AsyncIterator<CompletionEvent>,
  first: IteratorResult<CompletionEvent>,
  tally: Tally,
  response: ServerResponse,
  context: RequestContext,
): Promise<AnswerOutcome> {
  const includeUsage = chatRequest.stream_options?.include_usage === true;
  startEventStream(response);
  // Returns a promise only when the client pushes back, so an unhurried stream costs no promise per chunk.
  const write = (text: string): Promise<void> | undefined => {
    if (response.destroyed) throw new Error('client disconnected');
    // Respect backpressure from slow clients instead of buffering the whole answer.
    if (!response.write(text)) {
      return new Promise<void>((resolve) => {
        const done = (): void => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    }
    return undefined;
  };
  const contentChunk = contentChunkEncoder(identity, includeUsage);

  let finishReason: FinishReason = 'stop';
  try {
    await write(sseData(chatCompletionChunk(identity, { role: 'assistant', content: '' }, null, includeUsage)));
    for (let step = first; !step.done; step = await iterator.next()) {
      const event = step.value;
      finishReason = apply(event, tally) ?? finishReason;
      if (event.type === 'delta') {
        const pushedBack = write(contentChunk(event.content));
        if (pushedBack) await pushedBack;
      }
    }
    await write(sseData(chatCompletionChunk(identity, {}, finishReason, includeUsage)));
    if (includeUsage) {
      const promptTokens = tally.promptTokens ?? countPromptTokens(chatRequest);
      const completionTokens = tally.completionTokens ?? estimateCompletionTokens(tally.content);
      await write(sseData(usageChunk(identity, usageOf(promptTokens, completionTokens))));
    }
  } catch (error) {
    await iterator.return?.().catch(() => undefined);
    if (response.destroyed) {
      deps.logger.info({ requestId: context.requestId }, 'client disconnected mid-stream');
      return 'cancelled';
    }
    deps.logger.warn({ err: error, requestId: context.requestId }, 'provider failed mid-stream');
    // Headers are out: the failure becomes a final error event, and there is no [DONE].
    response.end(sseData(upstreamToApiError(error).toBody()));
    return 'error';
  }
  response.end(SSE_DONE);
  return 'ok';
}
