import type { ChatCompletionRequest, ChatMessage } from '../../api/chat-completion-request';
import type { PiiType } from './detectors';
import { redact, type PiiCounts, type RedactionPolicy } from './redact';

export interface RedactedChatRequest {
  request: ChatCompletionRequest;
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
export function redactChatRequest(request: ChatCompletionRequest, policy: RedactionPolicy): RedactedChatRequest {
  const counts: PiiCounts = {};
  if (policy.types.size === 0) return { request, counts };
  const redactText = (text: string): string => {
    const result = redact(text, policy);
    addCounts(counts, result.counts);
    return result.text;
  };
  const messages = request.messages.map((message): ChatMessage => {
    const { content } = message;
    if (content == null) return message;
    if (typeof content === 'string') return { ...message, content: redactText(content) };
    return {
      ...message,
      content: content.map((part) => (part.type === 'text' && 'text' in part && typeof part.text === 'string' ? { ...part, text: redactText(part.text) } : part)),
    };
  });
  return { request: { ...request, messages }, counts };
}
