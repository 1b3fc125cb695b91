import { isTextPart, type InferenceMessage, type InferenceRequest } from '../../domain/inference-request';
import type { PiiType } from './detectors';
import { redact, type PiiCounts, type RedactionPolicy } from './redact';

export interface RedactedChatRequest {
  request: InferenceRequest;
  /** Redactions by type over every message; empty when nothing was found. */
  counts: PiiCounts;
}

function addCounts(total: PiiCounts, more: PiiCounts): void {
  for (const [type, count] of Object.entries(more) as Array<[PiiType, number]>) total[type] = (total[type] ?? 0) + count;
}

/**
 * Redacts the text of every message (string content and `text` parts; other parts such as
 * images pass through untouched). Pure: returns a new request, the input is not modified,
 * so nothing downstream (providers, logs, stored events) can see the original text.
 */
export function redactChatRequest(request: InferenceRequest, policy: RedactionPolicy): RedactedChatRequest {
  const counts: PiiCounts = {};
  if (policy.types.size === 0) return { request, counts };
  const redactText = (text: string): string => {
    const result = redact(text, policy);
    addCounts(counts, result.counts);
    return result.text;
  };
  const messages = request.messages.map((message): InferenceMessage => {
    // Tool-call arguments the client sends back are input like any other text (JSON strings stay JSON: no replacement holds a quote).
    const withCalls = message.toolCalls ? { ...message, toolCalls: message.toolCalls.map((call) => ({ ...call, arguments: redactText(call.arguments) })) } : message;
    const { content } = withCalls;
    if (content === null) return withCalls;
    if (typeof content === 'string') return { ...withCalls, content: redactText(content) };
    return {
      ...withCalls,
      content: content.map((part) => (isTextPart(part) ? { ...part, text: redactText(part.text) } : part)),
    };
  });
  return { request: { ...request, messages }, counts };
}
