import type { IncomingHttpHeaders } from 'node:http';
import { usageRecordOf, type RequestOutcome } from '../accounting/request-usage';
import type { RequestLogDraft } from '../accounting/request-log-entry';
import { UpstreamError } from '../adapters/adapter';
import type { ProviderCredentialLookup } from '../adapters/tenant-credentials/credential-cache';
import type { EmbeddingRequest, EmbeddingResult } from '../domain/embedding-request';
import type { InferenceRequest } from '../domain/inference-request';
import type { LegRecord } from '../domain/upstream-leg';
import { ApiError } from '../errors';
import type { AuthenticatedKey } from '../ingress/authenticate';
import { LimitExceededError, reserveLimits, settleLimits } from '../ingress/limits/enforce-limits';
import { redactChatRequest } from '../ingress/pii/redact-chat-request';
import type { PiiCounts } from '../ingress/pii/redact';
import { restrictToAllowedRegions } from '../policy/pdp/allowed-regions';
import { inStep, startStep } from '../telemetry/steps';
import { DEFAULT_TENANT_SETTINGS } from '@switchyard/db/tenant-settings';
import type { ChatCompletionsDeps } from './chat-completions-handler';
import { enforceChatPolicies, refusedUpstreamsError } from './chat-policy-step';
import { estimateEmbeddingTokens } from './embeddings-request';
import { upstreamToApiError } from './upstream-failure';

export interface EmbedDeps extends ChatCompletionsDeps {
  /** Tenants' own provider keys: a tenant's embedding call uses its key for that provider, else the provider's. */
  providerCredentials?: ProviderCredentialLookup;
}

export interface EmbedCall {
  /** The id billing and audit deduplicate on (a request's own, or `<request id>:<purpose>` for an embedding a request needs). */
  requestId: string;
  clientRequestId?: string | undefined;
  traceparent?: string | undefined;
  key: AuthenticatedKey;
  headers: IncomingHttpHeaders;
  signal: AbortSignal;
  /** The request log entry this embedding is the request of (POST /v1/embeddings); absent for an embedding another request needs. */
  log?: RequestLogDraft | undefined;
}

export interface Embedded {
  result: EmbeddingResult;
  /** The inputs as they were embedded: after the tenant's PII redaction. */
  inputs: readonly string[];
  /** The model that served. */
  model: string;
}

/**
 * Embeds texts through the same steps as a chat request: resolve the model or route, reserve the
 * token limits, redact PII, the tenant's policies, the routing decision, the providers in the
 * plan's order (fail over before an answer; a provider that refuses the request itself ends it),
 * one usage event (prompt tokens only) and the limits settled to what was used. POST /v1/embeddings
 * and the memory fabric (adding a memory, the query of a retrieval) both embed through here.
 */
export async function embedTexts(deps: EmbedDeps, call: EmbedCall, request: EmbeddingRequest): Promise<Embedded> {
  const startedAt = Date.now();
  const { tenantId } = call.key;
  const settings = deps.tenantSettings ? deps.tenantSettings.settingsOf(tenantId) : DEFAULT_TENANT_SETTINGS;
  const limits = deps.limitsFor ? deps.limitsFor(settings) : deps.limits;
  // The texts as a conversation of user messages: how policy, redaction and token counting read a request.
  const asConversation: InferenceRequest = { model: request.model, messages: request.inputs.map((content) => ({ role: 'user', content })) };

  const admitted = await inStep(deps.metrics, 'ingress', async () => {
    if (call.log) call.log.route = request.model;
    const target = deps.router.resolve(request.model, tenantId);
    if (!target) {
      throw new ApiError('model_not_found', {
        param: 'model',
        message: `The model '${request.model.slice(0, 256)}' does not exist or is not available. List available models and routes with GET /v1/models.`,
      });
    }
    const { reservation } = await reserveLimits(deps.rateLimiter, limits, { tenantId, apiKeyId: call.key.callerId }, estimateEmbeddingTokens(request.inputs)).catch((error: unknown) => {
      if (error instanceof LimitExceededError) deps.metrics.rateLimitRejections.inc();
      throw error;
    });
    try {
      const redacted = redactChatRequest(asConversation, await deps.redaction.policyFor(tenantId));
      for (const [type, count] of Object.entries(redacted.counts)) deps.metrics.piiRedactions.inc({ type }, count);
      const inputs = redacted.request.messages.map((message) => (typeof message.content === 'string' ? message.content : ''));
      return { target, reservation, inputs, counts: redacted.counts, conversation: redacted.request };
    } catch (error) {
      deps.background?.(settleLimits(deps.rateLimiter, reservation, 0).catch(() => undefined));
      throw error;
    }
  });

  let settled = false;
  const settle = (usedTokens: number) => {
    if (settled) return;
    settled = true;
    deps.background?.(
      settleLimits(deps.rateLimiter, admitted.reservation, usedTokens).catch((error: unknown) => deps.logger.warn({ err: error, requestId: call.requestId }, 'token reservation not settled; the estimate stays charged')),
    );
  };
  try {
    const { target } = admitted;
    const policy = deps.policy;
    const policyStep = policy && {
      log: call.log,
      policy,
      bus: deps.bus,
      logger: deps.logger,
      requestId: call.requestId,
      clientRequestId: call.clientRequestId,
      key: call.key,
      chatRequest: admitted.conversation,
      route: target.route.name,
      headers: call.headers,
      tenantSettings: settings,
      countDenial: (action: string) => deps.metrics.policyDenials.inc({ action }),
    };
    const policyPermissions = policyStep && (await inStep(deps.metrics, 'policy', () => enforceChatPolicies(policyStep)));
    const permissions = restrictToAllowedRegions(policyPermissions, settings.allowedRegions);
    const units = { caller: call.key.callerId, endUser: request.endUserId, session: undefined };
    const routing = await inStep(deps.metrics, 'routing_decision', () => deps.router.decide(target, permissions ? { allowUpstream: permissions.allow, units } : { units }), {
      'switchyard.route': target.route.name,
    });
    if (routing.unserved) throw new ApiError('route_not_served');
    const refused = routing.plan.upstreams.length === 0 && permissions && refusedUpstreamsError(policyStep, permissions);
    if (refused) throw refused;
    const upstreams = routing.plan.upstreams.filter((upstream) => upstream.adapter.embed !== undefined);
    if (routing.plan.upstreams.length === 0) throw new ApiError('upstream_unavailable', { retryAfterSeconds: 60 });
    if (upstreams.length === 0) throw new ApiError('embeddings_not_supported', { param: 'model' });
    if (call.log) {
      call.log.plannedModel = upstreams[0]!.model;
      call.log.plannedProvider = upstreams[0]!.provider;
    }

    const legs: LegRecord[] = [];
    let lastError: unknown;
    for (const upstream of upstreams) {
      const step = startStep(deps.metrics, 'adapter_call', { 'switchyard.upstream': upstream.key, 'gen_ai.operation.name': 'embeddings' });
      try {
        const apiKey = deps.providerCredentials?.lookup(tenantId, upstream.provider);
        const result = await upstream.adapter.embed!({ ...request, model: upstream.model, inputs: admitted.inputs }, call.signal, apiKey !== undefined ? { apiKey } : undefined);
        step.end();
        // A provider that reports no usage is billed the estimate.
        const promptTokens = result.promptTokens > 0 ? result.promptTokens : estimateEmbeddingTokens(admitted.inputs);
        legs.push({ upstream: upstream.key, model: upstream.model, outcome: 'won', attempts: 1, promptTokens, completionTokens: 0 });
        if (call.log) call.log.firstByteAt ??= Date.now();
        settle(record(deps, call, outcome(call, request, routing.target, upstream.provider, admitted.counts, legs, startedAt, 'ok', { provider: upstream.provider, model: upstream.model, promptTokens, completionTokens: 0 })));
        return { result: { vectors: result.vectors, promptTokens }, inputs: admitted.inputs, model: upstream.model };
      } catch (error) {
        step.end(error);
        lastError = error;
        legs.push({ upstream: upstream.key, model: upstream.model, outcome: 'failed', attempts: 1, error: error instanceof Error ? error.message.slice(0, 200) : 'failed', promptTokens: 0, completionTokens: 0 });
        // The provider is up but refused these inputs: another provider would refuse them too.
        if (!(error instanceof UpstreamError) || error.refusedRequest || call.signal.aborted) break;
      }
    }
    settle(record(deps, call, outcome(call, request, routing.target, upstreams[0]!.provider, admitted.counts, legs, startedAt, 'error', undefined)));
    const apiError = upstreamToApiError(lastError);
    if (call.log) call.log.errorCode = apiError.code;
    throw apiError;
  } catch (error) {
    settle(0);
    throw error;
  }
}

function outcome(
  call: EmbedCall,
  request: EmbeddingRequest,
  target: { route: { name: string; strategy: { kind: string } }; configured: boolean },
  plannedProvider: string,
  piiRedactions: PiiCounts,
  legs: readonly LegRecord[],
  startedAt: number,
  status: 'ok' | 'error',
  served: RequestOutcome['served'],
): RequestOutcome {
  return {
    requestId: call.requestId,
    clientRequestId: call.clientRequestId,
    traceparent: call.traceparent,
    tenantId: call.key.tenantId,
    apiKeyId: call.key.apiKeyId,
    requestedModel: request.model,
    route: { name: target.route.name, configured: target.configured, strategy: target.route.strategy.kind },
    plannedProvider,
    ...(served ? { served } : {}),
    status,
    legs,
    piiRedactions,
    startedAt,
    endedAt: Date.now(),
  };
}

/** One usage event per embedding call; returns the tokens it used (what the limits are settled to). */
function record(deps: EmbedDeps, call: EmbedCall, ended: RequestOutcome): number {
  const step = startStep(deps.metrics, 'accounting');
  const usage = usageRecordOf(ended);
  deps.usage.record(usage);
  if (call.log) call.log.usage = usage;
  step.end();
  return usage.promptTokens;
}
