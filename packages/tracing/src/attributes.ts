/**
 * Span names and attribute keys shared by the processes that write them and the tail sampler
 * that reads them. GenAI keys follow the OpenTelemetry GenAI semantic conventions (kept as
 * strings here: the incubating entry point of @opentelemetry/semantic-conventions is unstable).
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** The older name of `gen_ai.provider.name`, still read by many backends. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
} as const;

export const SWITCHYARD = {
  tenantId: 'switchyard.tenant_id',
  route: 'switchyard.route',
  upstream: 'switchyard.upstream',
  /** The routing decision: the strategy and the planned upstream order. */
  decision: 'switchyard.decision',
  /** `allow` or `deny`, on the policy span and the request's root span. */
  policyDecision: 'switchyard.policy.decision',
  /** True on the root span when the answer came from anything but the first planned upstream. */
  fallback: 'switchyard.fallback',
  /** `primary`, `failover`, `speculative` or `hedge`, on each adapter_call span. */
  legKind: 'switchyard.leg.kind',
  /** `won`, `lost` or `failed`, on each adapter_call span. */
  legOutcome: 'switchyard.leg.outcome',
  requestId: 'switchyard.request_id',
} as const;
