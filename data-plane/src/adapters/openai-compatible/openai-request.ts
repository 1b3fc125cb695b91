import type { ContentPart, InferenceMessage, InferenceRequest, MessageRole } from '../../domain/inference-request';

/**
 * An inference request as an OpenAI chat-completions request body, for any OpenAI-compatible
 * upstream. Pure, so every mapping rule is unit-tested without a server. The upstream is always
 * asked to stream with usage included (see the adapter); absent options are left out, so the
 * upstream applies its own defaults.
 */
export interface OpenAIMessage {
  role: MessageRole;
  content: string | readonly ContentPart[] | null;
  name: string | undefined;
  tool_call_id: string | undefined;
}

export interface OpenAIChatBody {
  model: string;
  messages: OpenAIMessage[];
  stream: true;
  stream_options: { include_usage: true };
  temperature: number | undefined;
  top_p: number | undefined;
  max_tokens: number | undefined;
  max_completion_tokens: number | undefined;
  stop: readonly string[] | undefined;
  presence_penalty: number | undefined;
  frequency_penalty: number | undefined;
  seed: number | undefined;
  user: string | undefined;
}

export function toOpenAIBody(request: InferenceRequest): OpenAIChatBody {
  // The limit goes under the name the client used: OpenAI's reasoning models accept only
  // `max_completion_tokens`, some OpenAI-compatible servers only `max_tokens`.
  const coversReasoning = request.outputLimitCoversReasoning === true;
  return {
    model: request.model,
    messages: request.messages.map(toOpenAIMessage),
    stream: true,
    stream_options: { include_usage: true },
    temperature: request.temperature,
    top_p: request.topP,
    max_tokens: coversReasoning ? undefined : request.maxOutputTokens,
    max_completion_tokens: coversReasoning ? request.maxOutputTokens : undefined,
    stop: request.stopSequences,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    seed: request.seed,
    user: request.endUserId,
  };
}

/** Keys left `undefined` are dropped by JSON.stringify: the upstream sees only what the client set. */
function toOpenAIMessage(message: InferenceMessage): OpenAIMessage {
  return { role: message.role, content: message.content, name: message.name, tool_call_id: message.toolCallId };
}
