import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ApiError } from '../errors';
import { readJsonBody } from '../http/read-json-body';
import { sendJson } from '../http/respond';
import type { AuthenticatedKey } from '../ingress/authenticate';
import type { Router } from '../router/router';

const feedbackSchema = z.strictObject({
  /** The x-request-id of a chat completion this tenant made (the `id` without its `chatcmpl-` prefix also works). */
  request_id: z.string().min(1).max(200),
  /** Quality of the answer: 0 (useless) to 1 (perfect). */
  score: z.number().min(0).max(1),
});

/** Feedback bodies are tiny; refuse anything larger than this before parsing. */
const MAX_FEEDBACK_BYTES = 4_096;

/**
 * POST /v1/feedback: a client's quality score for one of its own recent requests, fed to the
 * bandit of the route that served it, whichever replica served it (the feedback log is shared
 * when Redis is configured). Accepted once per request; another tenant's request id is
 * indistinguishable from an unknown one.
 */
export async function handleFeedback(
  deps: { router: Router; maxBodyBytes: number; logger: Pick<Logger, 'warn'> },
  key: AuthenticatedKey,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readJsonBody(request, Math.min(MAX_FEEDBACK_BYTES, deps.maxBodyBytes));
  const parsed = feedbackSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError('invalid_request', {
      param: issue?.path.join('.') || undefined,
      message: `Invalid feedback: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'malformed'}. Send {"request_id": "...", "score": 0..1}.`,
    });
  }
  const { request_id: given, score } = parsed.data;
  const stripped = given.replace(/^chatcmpl-/, '');
  const rate = (requestId: string): Promise<boolean> =>
    deps.router.feedback(requestId, key.tenantId, score).catch((error: unknown) => {
      // The feedback log (Redis when replicas share it) failed: a dependency outage, not the client's fault.
      deps.logger.warn({ err: error, requestId }, 'feedback log unreachable');
      throw new ApiError('feedback_unavailable', { retryAfterSeconds: 1 });
    });
  const accepted = (await rate(given)) || (stripped !== given && (await rate(stripped)));
  if (!accepted) throw new ApiError('feedback_request_not_found', { param: 'request_id' });
  sendJson(response, 202, { object: 'feedback', request_id: given, accepted: true });
}
