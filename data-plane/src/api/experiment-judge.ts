import type { Logger } from 'pino';
import type { Bus } from '@switchyard/bus';
import { EXPERIMENT_FEEDBACK_STREAM, type ExperimentFeedbackEvent } from '@switchyard/events/usage';
import type { RequestOutcome } from '../accounting/request-usage';
import { countPromptTokens } from '../accounting/token-count';
import type { InferenceRequest } from '../domain/inference-request';
import { redactChatRequest } from '../ingress/pii/redact-chat-request';
import type { RedactionConfigSource } from '../ingress/pii/redaction-config';
import { judgeRequest, parseJudgeScore } from '../router/judge';
import type { Router, RoutingDecision } from '../router/router';
import type { Metrics } from '../telemetry/metrics';

export interface JudgeDeps {
  router: Pick<Router, 'judge'>;
  bus: Pick<Bus, 'append'>;
  redaction: RedactionConfigSource;
  metrics: Pick<Metrics, 'judgeCalls'>;
  logger: Pick<Logger, 'warn'>;
  /** Bills the judge's tokens (one usage event, as the handler records every request). */
  record: (outcome: RequestOutcome) => void;
}

export interface JudgedAnswer {
  /** The data plane's id of the client's request. */
  requestId: string;
  tenantId: string;
  apiKeyId: string | null;
  /** The client's (already redacted) request. */
  request: InferenceRequest;
  routing: RoutingDecision;
  arm: 'champion' | 'challenger';
  /** What the arm answered. */
  answer: string;
}

/**
 * An experiment's automatic judge scores one arm's answer, off the client's path (the answer was
 * delivered before this starts, and nothing here can reach the client). The judge's request is
 * redacted with the tenant's policy like any request (the question already was; the answer may
 * echo what the redactor removes). Its tokens are billed as the experiment's shadow cost in a
 * usage event of their own (`<request id>:judge:<arm>`, marked `judge`: audited as an inference
 * like every usage event, never the arm's own cost); a score goes on the experiment feedback
 * stream, where the experiments subgraph counts it as the arm's quality exactly as a client's
 * `POST /v1/feedback`. Never throws.
 */
export async function judgeAnswer(deps: JudgeDeps, job: JudgedAnswer): Promise<void> {
  const experiment = job.routing.experiment;
  const judge = experiment?.judge;
  if (!experiment || !judge) return;
  const id = `${job.requestId}:judge:${job.arm}`;
  try {
    const asked = redactChatRequest(judgeRequest(judge.upstream.model, job.request, job.answer), await deps.redaction.policyFor(job.tenantId)).request;
    const startedAt = Date.now();
    const outcome = await deps.router.judge(job.routing, asked, job.tenantId);
    if (!outcome) return;
    const { route } = job.routing.target;
    const promptTokens = outcome.promptTokens > 0 ? outcome.promptTokens : outcome.status === 'ok' ? countPromptTokens(asked) : 0;
    deps.record({
      requestId: id,
      tenantId: job.tenantId,
      apiKeyId: job.apiKeyId,
      requestedModel: job.request.model,
      route: { name: route.name, configured: job.routing.target.configured, strategy: route.strategy.kind },
      plannedProvider: outcome.upstream.provider,
      served: { provider: outcome.upstream.provider, model: outcome.upstream.model, promptTokens, completionTokens: outcome.completionTokens },
      status: outcome.status,
      legs: [],
      piiRedactions: {},
      startedAt,
      endedAt: startedAt + outcome.latencyMs,
      experiment: { experimentId: experiment.id, arm: job.arm, shadow: true, judge: true },
    });
    const score = outcome.status === 'ok' ? parseJudgeScore(outcome.text) : undefined;
    deps.metrics.judgeCalls.inc({ outcome: outcome.status === 'error' ? 'error' : score === undefined ? 'unparseable' : 'scored' });
    if (score === undefined) return;
    const event: ExperimentFeedbackEvent = { requestId: id, tenantId: job.tenantId, experimentId: experiment.id, arm: job.arm, score, source: 'judge', createdAt: new Date().toISOString() };
    await deps.bus.append(EXPERIMENT_FEEDBACK_STREAM, JSON.stringify(event));
  } catch (error) {
    deps.logger.warn({ err: error, requestId: job.requestId, arm: job.arm }, 'experiment judge failed (the client was not affected)');
  }
}
