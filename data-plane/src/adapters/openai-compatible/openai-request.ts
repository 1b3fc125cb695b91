import type { ContentPart, InferenceMessage, InferenceRequest, InferenceTool, MessageRole, ToolChoice } from '../../domain/inference-request';

/**
 * An inference request as an OpenAI chat-completions request body, for any OpenAI-compatible
 * upstream. Pure, so every mapping rule is unit-tested without a server. The upstream is asked to
 * stream with usage included, unless the caller reads the answer only whole (`stream` false: one
 * JSON answer, which carries its usage anyway; see the adapter); absent options are left out, so
 * the upstream applies its own defaults.
 */
export interface OpenAIMessage {
  role: MessageRole;
  content: string | readonly ContentPart[] | null;
  name: string | undefined;
  tool_call_id: string | undefined;
  tool_calls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> | undefined;
}

export interface OpenAIChatBody {
  model: string;
  messages: OpenAIMessage[];
  stream: boolean;
  stream_options: { include_usage: true } | undefined;
  temperature: number | undefined;
  top_p: number | undefined;
  max_tokens: number | undefined;
  max_completion_tokens: number | undefined;
  stop: readonly string[] | undefined;
  presence_penalty: number | undefined;
  frequency_penalty: number | undefined;
  seed: number | undefined;
  user: string | undefined;
  tools: OpenAITool[] | undefined;
  tool_choice: OpenAIToolChoice | undefined;
}

export interface OpenAITool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Readonly<Record<string, unknown>>; strict?: boolean };
}

export type OpenAIToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export function toOpenAIBody(request: InferenceRequest, stream = true): OpenAIChatBody {
  // The limit goes under the name the client used: OpenAI's reasoning models accept only
  // `max_completion_tokens`, some OpenAI-compatible servers only `max_tokens`.
  const coversReasoning = request.outputLimitCoversReasoning === true;
  return {
    model: request.model,
    messages: request.messages.map(toOpenAIMessage),
    stream,
    stream_options: stream ? { include_usage: true } : undefined,
    temperature: request.temperature,
    top_p: request.topP,
    max_tokens: coversReasoning ? undefined : request.maxOutputTokens,
    max_completion_tokens: coversReasoning ? request.maxOutputTokens : undefined,
    stop: request.stopSequences,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    seed: request.seed,
    user: request.endUserId,
    // The tools the tenant's policy allowed (the policy step ran before any adapter), as the client defined them.
    tools: request.tools && request.tools.length > 0 ? request.tools.map(toOpenAITool) : undefined,
    tool_choice: request.toolChoice === undefined ? undefined : toOpenAIToolChoice(request.toolChoice),
  };
}

function toOpenAITool(tool: InferenceTool): OpenAITool {
  return { type: 'function', function: { name: tool.name, ...tool.definition } };
}

function toOpenAIToolChoice(choice: ToolChoice): OpenAIToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** Keys left `undefined` are dropped by JSON.stringify: the upstream sees only what the client set. */
function toOpenAIMessage(message: InferenceMessage): OpenAIMessage {
  return {
    role: message.role,
    content: message.content,
    name: message.name,
    tool_call_id: message.toolCallId,
    tool_calls: message.toolCalls && message.toolCalls.length > 0 ? message.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) : undefined,
  };
}
