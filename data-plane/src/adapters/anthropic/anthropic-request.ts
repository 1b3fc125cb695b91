import { messageText, type ChatCompletionRequest } from '../../api/chat-completion-request';

/**
 * Translates a validated OpenAI chat request into an Anthropic Messages request body. Pure, so
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
  stop_sequences?: string[];
  metadata?: { user_id: string };
  stream: true;
}

/** Anthropic requires `max_tokens`; OpenAI clients usually omit it. */
export const DEFAULT_MAX_TOKENS = 1024;

export function toAnthropicBody(request: ChatCompletionRequest, defaultMaxTokens = DEFAULT_MAX_TOKENS): AnthropicMessagesBody {
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
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens,
    messages,
    stream: true,
  };
  if (system.length > 0) body.system = system.join('\n\n');
  // OpenAI's temperature range is 0..2, Anthropic's 0..1: clamp rather than have the upstream refuse.
  if (request.temperature != null) body.temperature = Math.min(request.temperature, 1);
  if (request.top_p != null) body.top_p = request.top_p;
  if (request.stop != null) body.stop_sequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (request.user) body.metadata = { user_id: request.user };
  return body;
}
