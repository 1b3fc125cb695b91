import { messageText, type InferenceRequest } from '../../domain/inference-request';

/**
 * Translates an inference request into an Anthropic Messages request body. Pure, so
 * every mapping rule is unit-tested without a server.
 */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface AnthropicMessagesBody {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string;
  temperature?: number;
  top_p?: number;
  stop_sequences?: readonly string[];
  metadata?: { user_id: string };
  stream: true;
}

/** Anthropic requires `max_tokens`; clients usually leave the limit out. */
export const DEFAULT_MAX_TOKENS = 1024;

export function toAnthropicBody(request: InferenceRequest, defaultMaxTokens = DEFAULT_MAX_TOKENS): AnthropicMessagesBody {
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  for (const message of request.messages) {
    const text = messageText(message);
    if (message.role === 'system' || message.role === 'developer') {
      system.push(text);
      continue;
    }
    // Tool results travel as user turns: Anthropic has no `tool` role and this gateway does not
    // forward tool definitions, so the text is what the model can use.
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const previous = messages.at(-1);
    // Anthropic expects alternating turns; consecutive same-role messages are merged.
    if (previous?.role === role) previous.content = `${previous.content}\n\n${text}`;
    else messages.push({ role, content: text });
  }
  // Anthropic refuses a conversation without a user turn (e.g. only system messages).
  if (messages.length === 0) messages.push({ role: 'user', content: '' });

  const body: AnthropicMessagesBody = {
    model: request.model,
    max_tokens: request.maxOutputTokens ?? defaultMaxTokens,
    messages,
    stream: true,
  };
  if (system.length > 0) body.system = system.join('\n\n');
  // Temperatures reach here in 0..2 (OpenAI's range, checked at the edge), Anthropic's is 0..1: clamp rather than have the upstream refuse.
  if (request.temperature !== undefined) body.temperature = Math.min(request.temperature, 1);
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences !== undefined) body.stop_sequences = request.stopSequences;
  if (request.endUserId) body.metadata = { user_id: request.endUserId };
  return body;
}
