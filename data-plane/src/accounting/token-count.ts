import { messageText, type InferenceRequest } from '../domain/inference-request';

/**
 * Token estimates for when a provider does not report usage (and for the mock model): a few
 * tokens of framing per message plus ~4 characters per token, OpenAI's rule of thumb for English.
 */
export function countPromptTokens(request: Pick<InferenceRequest, 'messages'>): number {
  let tokens = 3;
  for (const message of request.messages) tokens += 4 + Math.ceil(messageText(message).length / 4);
  return tokens;
}

export function estimateCompletionTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
