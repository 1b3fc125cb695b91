import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Span } from '@opentelemetry/api';
import { GEN_AI, SWITCHYARD } from '@switchyard/tracing';
import { currentTraceparent } from '@switchyard/tracing/context';
import { usageRecordOf, type RequestOutcome } from '../accounting/request-usage';
import type { RequestLogDraft } from '../accounting/request-log-entry';
import { countPromptTokens } from '../accounting/token-count';
import type { CompletedRequest, UsageRecorder } from '../accounting/usage-recorder';
import { holdLastByte } from '../http/hold-last-byte';
import type { QuotaAlerts } from '../alerts/quota-alerts';
import type { Bus } from '@switchyard/bus';
import type { InferenceRequest } from '../domain/inference-request';
import { ApiError } from '../errors';
import { readJsonBody } from '../http/read-json-body';
import { sendError } from '../http/respond';
import type { AuthenticatedKey } from '../ingress/authenticate';
import { LimitExceededError, limitWarningHeader, reserveLimits, settleLimits, type LimitReservation } from '../ingress/limits/enforce-limits';
import { LIMIT_WARNING_CHANNEL } from '@switchyard/events/limits';
import type { LimitsConfig } from '../ingress/limits/limits-config';
import { redactChatRequest } from '../ingress/pii/redact-chat-request';
import type { PiiCounts } from '../ingress/pii/redact';
import type { RedactionConfigSource } from '../ingress/pii/redaction-config';
import type { RateLimiter } from '../ingress/rate-limit/rate-limiter';
import type { QosClass } from '../ingress/qos/qos-class';
import type { SloThrottle } from '../ingress/slo-throttle/slo-throttle';
import { restrictToAllowedRegions } from '../policy/pdp/allowed-regions';
import type { PolicyDecisionPoint } from '../policy/pdp/decision-point';
import type { ResolvedTarget, Router, RoutingDecision, Served } from '../router/router';
import { memoryFailure } from './memory-step';
import type { Metrics } from '../telemetry/metrics';
import { activeRequestSpan } from '../telemetry/request-span';
import { inStep, startStep } from '../telemetry/steps';
import type { TenantSettingsLookup } from '../tenant-settings/settings-cache';
import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from '@switchyard/db/tenant-settings';
import type { SessionTurn, SessionWindow } from '@switchyard/memory/session';
import type { InferenceMessage } from '../domain/inference-request';
import { answerTurn, messageOf, turnOf } from './session-turns';
import type { WinningLeg } from '../router/execute';
import type { Delivery } from '../router/router';
import { deliverAnswer, type AnswerContext } from './chat-completion-answer';
import type { VectorMemory } from '@switchyard/vector-memory';
import type { ProviderCredentialLookup } from '../adapters/tenant-credentials/credential-cache';
import { addTopMemories, MEMORIES_HEADER } from './chat-memory-step';
import { parseChatCompletionRequest, toInferenceRequest } from './chat-completion-request';
import { enforceChatPolicies, refusedUpstreamsError } from './chat-policy-step';
import { MAX_KEPT_CHARS } from '../router/shadow';
import { judgeAnswer } from './experiment-judge';
import { upstreamToApiError } from './upstream-failure';

export const LIMIT_WARNING_HEADER = 'x-switchyard-limit-warning';

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
  /** Told about work that outlives the handler (token settlements), so closing the app can wait for it. */
  background?: (task: Promise<void>) => void;
  /** The SLO auto-throttle: batch requests of a route whose SLO pages are refused; absent = never. */
  sloThrottle?: Pick<SloThrottle, 'throttles'>;
  /** The memory fabric's session window (recent turns, stored responses); absent = no memory (route `memory` options are ignored). */
  memory?: SessionWindow;
  /** The tenants' vector memories: a route's `memory.topMemories` retrieves from it; absent = no retrieval. */
  vectorMemory?: VectorMemory;
  /** Tenants' own provider keys, for the embedding calls made here (the router has its own reference). */
  providerCredentials?: ProviderCredentialLookup;
  /**
   * How long an answer's last byte waits for the bus to acknowledge its usage event (default 500 ms,
   * the app passes the limiter's Redis timeout): past it the answer goes out and the event follows
   * (retried in memory), so a Redis outage costs latency, never availability.
   */
  usageConfirmMs?: number;
}

/** What a wire format's request became: the data plane's request and what memory it touches. */
export interface ParsedCall<Extra = unknown> {
  request: InferenceRequest;
  /** Where the client's own new messages are in `request.messages` (after instructions and stored context): what a session window appends. */
  ownInput: { start: number; end: number };
  /** The conversation the call belongs to (`x-switchyard-session`, or a response chain's); absent: none. */
  sessionId?: string | undefined;
  /** The earlier conversation came with the request (`previous_response_id`): a route's `memory.recentTurns` is not added again. */
  carriesContext?: boolean;
  /** What only the wire format needs when it answers (e.g. the Responses API's `store` and `metadata`). */
  extra: Extra;
}

/** A request past ingress: translated into the data plane's own request, within its limits, redacted. */
export interface AdmittedCall<Extra = unknown> extends ParsedCall<Extra> {
  target: ResolvedTarget;
  piiRedactions: PiiCounts;
  /** The tokens reserved against the limits, settled to what was used when the request ends. */
  reservation: LimitReservation;
  /** Turns the route's `memory.recentTurns` added to the prompt (counted and billed as prompt tokens). */
  memoryTurns: number;
}

/**
 * One OpenAI wire format on the governed call path (chat completions, responses, legacy
 * completions): how its body becomes the data plane's request and how the winning leg is answered
 * in its format. Admission, policy, routing, accounting, audit and the request log are the path's,
 * the same for every format.
 */
export interface CallSurface<Extra = unknown> {
  /** `gen_ai.operation.name` on the request's span. */
  operation: string;
  /** The answer's id (`chatcmpl-…`, `resp_…`, `cmpl-…`), fixed per request. */
  answerId(ids: { requestId: string; clientRequestId: string | undefined }): string;
  parse(body: unknown, call: { tenantId: string; headers: IncomingHttpHeaders }): ParsedCall<Extra> | Promise<ParsedCall<Extra>>;
  /** A refusal's `param` in this format's own field names (the policy step names chat's: `tools[0].function.name`). */
  wireParam?(param: string): string;
  /** Before any limit is charged: refusals only this format has (e.g. the stored-response quota). */
  preflight?(call: ParsedCall<Extra>, tenantId: string): Promise<void>;
  deliver(deps: ChatCompletionsDeps, answer: AnswerContext, call: AdmittedCall<Extra>, winner: WinningLeg, response: ServerResponse, context: RequestContext): Promise<Delivery>;
}

/** POST /v1/chat/completions on the governed call path. */
export const CHAT_COMPLETIONS_SURFACE: CallSurface<undefined> = {
  operation: 'chat',
  // The completion id carries the id the client knows (its x-request-id when it sent one), so feedback by either works.
  answerId: ({ requestId, clientRequestId }) => `chatcmpl-${clientRequestId ?? requestId}`,
  parse(body, { headers }) {
    const request = toInferenceRequest(parseChatCompletionRequest(body));
    return { request, ownInput: { start: 0, end: request.messages.length }, sessionId: sessionOf(headers), extra: undefined };
  },
  deliver: (deps, answer, call, winner, response) => deliverAnswer(deps, answer, call.request, winner, response),
};

export interface RequestContext {
  /** The data plane's own id, generated per request: what billing and audit deduplicate on. */
  requestId: string;
  /** The client's x-request-id (correlation only: echoed, logged, recorded beside the request). */
  clientRequestId?: string | undefined;
  startedAt: number;
  key: AuthenticatedKey;
  /** The request's log entry in the making (accounting/request-log-entry.ts); absent for embedders that keep no log. */
  log?: RequestLogDraft;
  /** The request's trace (W3C), when traced: carried by its usage event. */
  traceparent?: string | undefined;
  /** The request's QoS class (header and scopes); absent = interactive. */
  qos?: QosClass;
}

/**
 * POST /v1/chat/completions, as the steps of the request path (the caller was authenticated by
 * the app). Order matters: everything that can reject the request (body, schema, model, limits,
 * policy) runs before any state is touched, and usage is recorded, once, only for requests that
 * reached the point of asking a provider. The router serves the plan: it fails over before the
 * first event and races speculative legs; after the first byte reaches the client the answer is
 * committed.
 */
export function handleChatCompletions(deps: ChatCompletionsDeps, context: RequestContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  return handleGovernedCall(deps, context, request, response, CHAT_COMPLETIONS_SURFACE);
}

/** Any wire format's call through the same steps (see handleChatCompletions' order). */
export async function handleGovernedCall<Extra>(
  deps: ChatCompletionsDeps,
  context: RequestContext,
  request: IncomingMessage,
  response: ServerResponse,
  surface: CallSurface<Extra>,
): Promise<void> {
  const settings = deps.tenantSettings ? deps.tenantSettings.settingsOf(context.key.tenantId) : DEFAULT_TENANT_SETTINGS;
  // The request's server span (undefined when not traced): tenant, model, route, decision and outcome go on it.
  const root = activeRequestSpan();
  if (root) {
    root.setAttribute(SWITCHYARD.tenantId, context.key.tenantId);
    context = { ...context, traceparent: currentTraceparent() };
  }
  const admitted = await inStep(deps.metrics, 'ingress', () => admit(deps, context, settings, request, response, surface));
  root?.setAttributes({ [GEN_AI.operationName]: surface.operation, [GEN_AI.requestModel]: admitted.request.model, [SWITCHYARD.route]: admitted.target.route.name });
  if (admitted.memoryTurns > 0) root?.setAttribute('switchyard.memory.recalled_turns', admitted.memoryTurns);
  // From here the request holds a token reservation: every way it ends settles it, once, to what was used.
  let settled = false;
  const settle = (usedTokens: number): void => {
    if (settled) return;
    settled = true;
    const settling = settleLimits(deps.rateLimiter, admitted.reservation, usedTokens).catch((error: unknown) =>
      deps.logger.warn({ err: error, requestId: context.requestId }, 'token reservation not settled; the estimate stays charged'),
    );
    deps.background?.(settling);
  };
  const finish = (outcome: RequestOutcome): void => settle(recordUsage(deps, outcome, context.log));
  // The answer's closing bytes wait for its usage event (below): a client never holds a whole answer
  // that a replica crash could leave unbilled. Released on every way out.
  const lastByte = holdLastByte(response);
  try {
    const routing = await authorize(deps, context, settings, admitted, request.headers).catch((error: unknown) => {
      if (!(error instanceof ApiError) || error.param === null || !surface.wireParam) throw error;
      throw new ApiError(error.code, { message: error.message, param: surface.wireParam(error.param), ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}) });
    });
    if (root) annotateDecision(root, routing, deps.policy !== undefined);
    const prompt = await withMemories(deps, context, admitted.request, routing, request.headers, response);
    const served = await serve(deps, context, { ...admitted, request: prompt }, routing, response, surface);
    if (root && served.answered) annotateServed(root, routing, served);

    if (!served.answered) {
      finish(outcomeOf(context, admitted, routing, served, 'error'));
      throw upstreamToApiError(served.error);
    }
    const { delivery } = served;
    // A buffered answer that failed with nowhere left to fail over to: nothing was sent yet, so the client gets the error status.
    if (delivery.outcome === 'failed' && delivery.retryable && !response.destroyed) sendError(response, upstreamToApiError(delivery.error));
    if (delivery.outcome === 'failed' && context.log) context.log.errorCode = upstreamToApiError(delivery.error).code;
    if (delivery.outcome === 'ok') {
      const billed = recordUsageConfirmed(deps, outcomeOf(context, admitted, routing, served, 'ok'), context.log);
      settle(billed.usedTokens);
      await confirmedWithin(billed.confirmed, deps.usageConfirmMs ?? DEFAULT_USAGE_CONFIRM_MS);
      lastByte.release();
      rememberTurns(deps, context, admitted, delivery);
      if (routing.experiment?.shadow) shadowCopy(deps, context, admitted, routing);
      // The arm that answered the client is judged too (in shadow mode the champion, beside the challenger's copy).
      if (routing.experiment?.judge) judge(deps, context, admitted, routing, routing.experiment.arm, (delivery.text ?? '').slice(0, MAX_KEPT_CHARS));
    } else finish(outcomeOf(context, admitted, routing, served, 'error'));
  } catch (error) {
    // Refused after admission (policy, routing) or failed unexpectedly: nothing was generated that is not already settled.
    settle(0);
    throw error;
  } finally {
    lastByte.release();
  }
}

const DEFAULT_USAGE_CONFIRM_MS = 500;

/** Waits for the acknowledgement at most `boundMs`; the event is retried in memory either way. */
async function confirmedWithin(confirmed: Promise<boolean>, boundMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([confirmed, new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)))]);
  clearTimeout(timer);
}

/** Parse (OpenAI wire → the data plane's request), resolve the model, enforce the limits, redact. */
async function admit<Extra>(deps: ChatCompletionsDeps, context: RequestContext, settings: TenantSettings, request: IncomingMessage, response: ServerResponse, surface: CallSurface<Extra>): Promise<AdmittedCall<Extra>> {
  const { tenantId } = context.key;
  const limits = deps.limitsFor ? deps.limitsFor(settings) : deps.limits;
  let call = await surface.parse(await readJsonBody(request, deps.maxBodyBytes), { tenantId, headers: request.headers });
  if (context.log) context.log.route = call.request.model;
  const target = deps.router.resolve(call.request.model, tenantId);
  if (!target) {
    throw new ApiError('model_not_found', {
      param: 'model',
      message: `The model '${call.request.model.slice(0, 256)}' does not exist or is not available. List available models and routes with GET /v1/models.`,
    });
  }
  await surface.preflight?.(call, tenantId);
  // The route's memory: the session's last N turns go into the prompt before the estimate, so they
  // are reserved, counted and billed as prompt tokens like anything the client sent.
  const memoryTurns = await recallTurns(deps, tenantId, target, call);
  if (memoryTurns.length > 0) call = withTurns(call, memoryTurns);
  const parsed = call.request;
  // Before any limit is charged: a throttled request costs the tenant nothing.
  if (context.qos === 'batch' && deps.sloThrottle?.throttles(tenantId, target.route.name)) {
    deps.metrics.shedRequests.inc({ reason: 'slo_throttled', qos: 'batch' });
    throw new ApiError('slo_throttled', { retryAfterSeconds: 60 });
  }
  // Tokens are reserved up front, from an estimate: the prompt estimate plus the completion the
  // client allows (its output limit, else a default). Charging only after the answer would let any
  // number of concurrent requests pass a nearly spent quota; the up-front reservation keeps the
  // limit a real ceiling across replicas, and settling it when the request ends charges exactly
  // what was used (the unused part comes back).
  const estimatedTokens = countPromptTokens(parsed) + (parsed.maxOutputTokens ?? limits.defaultCompletionTokens);
  // Per-caller limits: an API key's id, or `user:<sub>` for a person with an access token.
  const subject = { tenantId, apiKeyId: context.key.callerId };
  const { warnings, reservation } = await reserveLimits(deps.rateLimiter, limits, subject, estimatedTokens).catch((error: unknown) => {
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
  try {
    const redacted = redactChatRequest(parsed, await deps.redaction.policyFor(tenantId));
    for (const [type, count] of Object.entries(redacted.counts)) deps.metrics.piiRedactions.inc({ type }, count);
    return { ...call, request: redacted.request, target, piiRedactions: redacted.counts, reservation, memoryTurns: memoryTurns.length };
  } catch (error) {
    // Nothing was generated: the whole reservation comes back.
    deps.background?.(
      settleLimits(deps.rateLimiter, reservation, 0).catch((settleError: unknown) => deps.logger.warn({ err: settleError, requestId: context.requestId }, 'token reservation not settled; the estimate stays charged')),
    );
    throw error;
  }
}

/**
 * The tenant's policies (model or route, every tool named) and allowed regions, then the routing
 * decision under them: the egress and data-locality filter keeps refused upstreams out of the plan.
 */
async function authorize(
  deps: ChatCompletionsDeps,
  context: RequestContext,
  settings: TenantSettings,
  admitted: AdmittedCall,
  headers: IncomingHttpHeaders,
): Promise<RoutingDecision> {
  const { target } = admitted;
  const policy = deps.policy;
  const policyStep = policy && { log: context.log, policy, bus: deps.bus, logger: deps.logger, requestId: context.requestId, clientRequestId: context.clientRequestId, key: context.key, chatRequest: admitted.request, route: target.route.name, headers, tenantSettings: settings, countDenial: (action: string) => deps.metrics.policyDenials.inc({ action }) };
  const policyPermissions = policyStep && (await inStep(deps.metrics, 'policy', () => enforceChatPolicies(policyStep)));
  // The tenant's allowed regions filter before the policies: an upstream elsewhere is never used.
  const permissions = restrictToAllowedRegions(policyPermissions, settings.allowedRegions);

  const units = { endUser: admitted.request.endUserId, caller: context.key.callerId, session: sessionOf(headers) };
  const routing = await inStep(deps.metrics, 'routing_decision', () => deps.router.decide(target, permissions ? { allowUpstream: permissions.allow, units } : { units }), {
    'switchyard.route': target.route.name,
  });
  if (context.log) {
    const planned = routing.plan.upstreams[0];
    context.log.plannedModel = planned?.model ?? target.route.name;
    if (planned) context.log.plannedProvider = planned.provider;
  }
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
  return routing;
}

/** The route's memories, when it asks for them (api/chat-memory-step.ts): after the policy and routing steps, so a refused request retrieves nothing. */
async function withMemories(deps: ChatCompletionsDeps, context: RequestContext, request: InferenceRequest, routing: RoutingDecision, headers: IncomingHttpHeaders, response: ServerResponse): Promise<InferenceRequest> {
  const vectorMemory = deps.vectorMemory;
  if (!vectorMemory || !routing.target.route.memory?.topMemories) return request;
  const abort = new AbortController();
  const onClose = () => abort.abort(new Error('client disconnected'));
  response.once('close', onClose);
  try {
    const retrieval = await addTopMemories({ ...deps, vectorMemory }, { requestId: context.requestId, clientRequestId: context.clientRequestId, key: context.key, headers, signal: abort.signal }, request, routing.target.route);
    response.setHeader(MEMORIES_HEADER, String(retrieval.added));
    return retrieval.request;
  } finally {
    response.off('close', onClose);
  }
}

/** The router serves the plan; each winning leg's answer goes to the client in OpenAI's wire format. */
function serve<Extra>(deps: ChatCompletionsDeps, context: RequestContext, call: AdmittedCall<Extra>, routing: RoutingDecision, response: ServerResponse, surface: CallSurface<Extra>): Promise<Served> {
  const { request } = call;
  // Abort the provider calls when the client goes away before the answer is complete.
  const abort = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) abort.abort(new Error('client disconnected'));
  });
  const { requestId, clientRequestId, startedAt } = context;
  const answer = { requestId, completionId: surface.answerId({ requestId, clientRequestId }), created: Math.floor(startedAt / 1000), configuredRoute: routing.target.configured };
  return deps.router.serve(routing, request, { requestId, clientRequestId, tenantId: context.key.tenantId, startedAt, signal: abort.signal }, (winner) => {
    // The winning leg's first event is ready: what the client sees next is the first byte (TTFT).
    if (context.log) context.log.firstByteAt ??= Date.now();
    return surface.deliver(deps, answer, call, winner, response, context);
  });
}

/** The client's session for sticky split assignment (`unit: session`); bounded, one value. */
export function sessionOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-switchyard-session'];
  return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : undefined;
}

/**
 * Shadow mode: the champion answered; the challenger gets the same (already redacted) request
 * off the client's path, after the answer. Its tokens are billed as the tenant's shadow cost in a
 * usage event of its own (id `<request id>:shadow`, marked `shadow`), whether it answered, failed
 * or timed out; nothing of it reaches the client. Its tokens are not charged to the tenant's rate
 * limits (the client did not ask for them).
 */
function shadowCopy(deps: ChatCompletionsDeps, context: RequestContext, admitted: AdmittedCall, routing: RoutingDecision): void {
  const experiment = routing.experiment!;
  const startedAt = Date.now();
  const running = deps.router.shadow(routing, admitted.request, context.key.tenantId).then((outcome) => {
    if (!outcome) return;
    const { route } = routing.target;
    const promptTokens = outcome.promptTokens > 0 ? outcome.promptTokens : outcome.status === 'ok' ? countPromptTokens(admitted.request) : 0;
    recordUsage(deps, {
      requestId: `${context.requestId}:shadow`,
      tenantId: context.key.tenantId,
      apiKeyId: context.key.apiKeyId,
      requestedModel: admitted.request.model,
      route: { name: route.name, configured: routing.target.configured, strategy: route.strategy.kind },
      plannedProvider: outcome.upstream.provider,
      served: { provider: outcome.upstream.provider, model: outcome.upstream.model, promptTokens, completionTokens: outcome.completionTokens },
      status: outcome.status,
      legs: [],
      piiRedactions: {},
      startedAt,
      endedAt: startedAt + outcome.latencyMs,
      experiment: { experimentId: experiment.id, arm: 'challenger', shadow: true },
    }, undefined); // a shadow leg is not a request the client made: billed, not in the request log
    deps.metrics.shadowLegs.inc({ outcome: outcome.status });
    // A challenger that answered is judged on the same question as the champion (a failed one has nothing to judge).
    if (outcome.status === 'ok' && experiment.judge) judge(deps, context, admitted, routing, 'challenger', outcome.text);
  });
  deps.background?.(running.catch((error: unknown) => deps.logger.warn({ err: error, requestId: context.requestId }, 'shadow leg not recorded')));
}

/** The experiment's judge scores an arm's answer, off the client's path (api/experiment-judge.ts); the close of the app waits for it. */
function judge(deps: ChatCompletionsDeps, context: RequestContext, admitted: AdmittedCall, routing: RoutingDecision, arm: 'champion' | 'challenger', answer: string): void {
  const judging = judgeAnswer(
    { router: deps.router, bus: deps.bus, redaction: deps.redaction, metrics: deps.metrics, logger: deps.logger, record: (outcome) => recordUsage(deps, outcome, undefined) },
    { requestId: context.requestId, tenantId: context.key.tenantId, apiKeyId: context.key.apiKeyId, request: admitted.request, routing, arm, answer },
  );
  deps.background?.(judging);
}

function outcomeOf(context: RequestContext, admitted: AdmittedCall, routing: RoutingDecision, served: Served, status: 'ok' | 'error'): RequestOutcome {
  const { route } = routing.target;
  return {
    ...(routing.experiment ? { experiment: { experimentId: routing.experiment.id, arm: routing.experiment.arm, shadow: false } } : {}),
    requestId: context.requestId,
    clientRequestId: context.clientRequestId,
    traceparent: context.traceparent,
    tenantId: context.key.tenantId,
    apiKeyId: context.key.apiKeyId,
    requestedModel: admitted.request.model,
    route: { name: route.name, configured: routing.target.configured, strategy: route.strategy.kind, ...(routing.priors ? { priors: routing.priors } : {}) },
    plannedProvider: routing.plan.upstreams[0]?.provider,
    served: served.answered
      ? { provider: served.upstream.provider, model: served.upstream.model, promptTokens: served.delivery.promptTokens, completionTokens: served.delivery.completionTokens }
      : undefined,
    status,
    legs: served.legs,
    piiRedactions: admitted.piiRedactions,
    startedAt: context.startedAt,
    endedAt: Date.now(),
  };
}

function annotateDecision(root: Span, routing: RoutingDecision, policyRan: boolean): void {
  const { route } = routing.target;
  root.setAttribute(SWITCHYARD.decision, `${route.strategy.kind}: ${routing.plan.upstreams.map((u) => u.key).join(' > ')}`);
  if (policyRan) root.setAttribute(SWITCHYARD.policyDecision, 'allow');
}

/** What served the answer; a fallback is any upstream but the plan's first (fail-over, a fallback route, a speculative leg that beat it). */
function annotateServed(root: Span, routing: RoutingDecision, served: Served & { answered: true }): void {
  root.setAttributes({
    [GEN_AI.providerName]: served.upstream.provider,
    [GEN_AI.system]: served.upstream.provider,
    [GEN_AI.responseModel]: served.upstream.model,
    [GEN_AI.inputTokens]: served.delivery.promptTokens,
    [GEN_AI.outputTokens]: served.delivery.completionTokens,
    [SWITCHYARD.upstream]: served.upstream.key,
    [SWITCHYARD.fallback]: served.upstream.key !== routing.plan.upstreams[0]?.key,
  });
}

/** Exactly one usage event per accepted request, whatever path it ended on. Returns the tokens it used (what the limits are settled to). */
function recordUsage(deps: ChatCompletionsDeps, outcome: RequestOutcome, log: RequestLogDraft | undefined): number {
  return usageStep(deps, outcome, log, (record) => deps.usage.record(record)).usedTokens;
}

/** recordUsage for an answer about to be completed: the same record, and when the bus acknowledged it. */
function recordUsageConfirmed(deps: ChatCompletionsDeps, outcome: RequestOutcome, log: RequestLogDraft | undefined): { usedTokens: number; confirmed: Promise<boolean> } {
  return usageStep(deps, outcome, log, (record) => deps.usage.recordConfirmed(record));
}

/** The accounting step: the outcome's usage record, handed to `send`, noted in the request log. */
function usageStep<T>(deps: ChatCompletionsDeps, outcome: RequestOutcome, log: RequestLogDraft | undefined, send: (record: CompletedRequest) => T): { usedTokens: number; confirmed: T } {
  const step = startStep(deps.metrics, 'accounting');
  if (outcome.legs.length > 1) deps.logger.info({ requestId: outcome.requestId, legs: outcome.legs }, 'request used several upstream legs');
  const record = usageRecordOf(outcome);
  const confirmed = send(record);
  if (log) log.usage = record;
  step.end();
  return { usedTokens: record.promptTokens + record.completionTokens, confirmed };
}

/** The route's `memory.recentTurns` of the call's session (none without a session, or when the request brought its own context). */
async function recallTurns(deps: ChatCompletionsDeps, tenantId: string, target: ResolvedTarget, call: ParsedCall): Promise<SessionTurn[]> {
  const count = target.route.memory?.recentTurns;
  if (!deps.memory || !count || !call.sessionId || call.carriesContext) return [];
  return deps.memory.recentTurns(tenantId, call.sessionId, count).catch(memoryFailure);
}

/** Earlier turns go after the leading system and developer messages (the client's instructions stay first). */
function withTurns<Extra>(call: ParsedCall<Extra>, turns: readonly SessionTurn[]): ParsedCall<Extra> {
  const { messages } = call.request;
  let at = 0;
  while (at < messages.length && (messages[at]!.role === 'system' || messages[at]!.role === 'developer')) at += 1;
  const recalled: InferenceMessage[] = turns.map(messageOf);
  return {
    ...call,
    request: { ...call.request, messages: [...messages.slice(0, at), ...recalled, ...messages.slice(at)] },
    // Leading system messages are never remembered, so the client's own input starts after the recalled turns.
    ownInput: { start: Math.max(call.ownInput.start, at) + turns.length, end: call.ownInput.end + turns.length },
  };
}

/** The session's new turns (the client's redacted messages, then the answer), off the client's path. */
export function turnsOf(call: Pick<ParsedCall, 'request' | 'ownInput'>, answer: Pick<Delivery, 'text' | 'toolCalls'>): SessionTurn[] {
  const own = call.request.messages.slice(call.ownInput.start, call.ownInput.end).filter((message) => message.role !== 'system' && message.role !== 'developer');
  return [...own.map(turnOf), answerTurn(answer.text ?? '', answer.toolCalls)];
}

/** A route with memory remembers the session's turns after the answer (already redacted: only what reached the provider is stored). */
function rememberTurns(deps: ChatCompletionsDeps, context: RequestContext, call: AdmittedCall, delivery: Delivery): void {
  if (!deps.memory || !call.sessionId || call.target.route.memory === undefined || delivery.text === undefined) return;
  const writing = deps.memory.appendTurns(context.key.tenantId, call.sessionId, turnsOf(call, delivery)).then(
    () => undefined,
    (error: unknown) => deps.logger.warn({ err: error, requestId: context.requestId }, 'session turns not remembered'),
  );
  deps.background?.(writing);
}
