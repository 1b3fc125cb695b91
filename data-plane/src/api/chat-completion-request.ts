import { z } from 'zod';
import type { InferenceMessage, InferenceRequest, ToolChoice } from '../domain/inference-request';
import { ApiError } from '../errors';

/**
 * The subset of OpenAI's chat-completion request that Switchyard understands, validated at the
 * edge and translated into the data plane's own request (`toInferenceRequest`); nothing behind
 * the edge sees this wire type. Unknown fields are dropped (never forwarded upstream). Ranges
 * follow OpenAI's API reference.
 */
const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });
const otherPartSchema = z.looseObject({ type: z.string().min(1) });
const contentSchema = z.union([z.string(), z.array(z.union([textPartSchema, otherPartSchema])).min(1)]);

/** A tool call the model made, sent back by the client with its result (the upstream needs both). */
const toolCallSchema = z.object({
  id: z.string().min(1).max(256),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1).max(64), arguments: z.string() }),
});

const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: contentSchema.nullable().optional(),
  name: z.string().min(1).max(64).optional(),
  tool_call_id: z.string().optional(),
  tool_calls: z.array(toolCallSchema).max(128).optional(),
});

/** OpenAI's rule for function names; anything else is refused before a policy could be fooled by look-alikes. */
const toolNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a tool name is 1 to 64 letters, digits, underscores or dashes');
const toolSchema = z.object({
  type: z.literal('function'),
  function: z.looseObject({
    name: toolNameSchema,
    description: z.string().max(8_192).nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).nullable().optional(),
    strict: z.boolean().nullable().optional(),
  }),
});
const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: toolNameSchema }) }),
]);

export const chatCompletionRequestSchema = z.object({
  model: z.string().min(1).max(256),
  messages: z.array(messageSchema).min(1).max(2048),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  // Switchyard returns one choice per request; n > 1 is refused rather than silently ignored.
  n: z.number().int().min(1).max(1, 'n > 1 is not supported; send one request per completion').nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  user: z.string().max(256).optional(),
  /** Checked against the tenant's tool permissions (`call_tool`); at most 128, as OpenAI allows. */
  tools: z.array(toolSchema).max(128).optional(),
  tool_choice: toolChoiceSchema.optional(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatMessage = z.infer<typeof messageSchema>;

/** `messages[0].content` style path for OpenAI's `param`. */
export function formatIssuePath(path: readonly PropertyKey[]): string | undefined {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || undefined;
}

export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('invalid_request', { message: 'The request body must be a JSON object.' });
  }
  const parsed = chatCompletionRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue ? formatIssuePath(issue.path) : undefined;
  const detail = issue ? issue.message : 'invalid request';
  throw new ApiError('invalid_request', { param, message: param ? `Invalid value for '${param}': ${detail}` : detail });
}

/**
 * OpenAI's wire request as the data plane's own. Pure and allocation-light: one object per message
 * (a field is renamed), content and its parts are shared with the parsed wire request; null and
 * absent become absent; `max_completion_tokens` wins over `max_tokens`, as at OpenAI.
 */
export function toInferenceRequest(wire: ChatCompletionRequest): InferenceRequest {
  const completionLimit = wire.max_completion_tokens ?? undefined;
  const stream = wire.stream === true;
  return {
    model: wire.model,
    messages: wire.messages.map(toInferenceMessage),
    stream,
    streamUsage: stream && wire.stream_options?.include_usage === true,
    maxOutputTokens: completionLimit ?? wire.max_tokens ?? undefined,
    outputLimitCoversReasoning: completionLimit !== undefined,
    temperature: wire.temperature ?? undefined,
    topP: wire.top_p ?? undefined,
    stopSequences: wire.stop == null ? undefined : typeof wire.stop === 'string' ? [wire.stop] : wire.stop,
    presencePenalty: wire.presence_penalty ?? undefined,
    frequencyPenalty: wire.frequency_penalty ?? undefined,
    seed: wire.seed ?? undefined,
    endUserId: wire.user,
    tools: wire.tools?.map((tool) => ({
      name: tool.function.name,
      // Forwarded to providers that take tools (the OpenAI-compatible adapter); the mock ignores them.
      definition: {
        ...(tool.function.description != null ? { description: tool.function.description } : {}),
        ...(tool.function.parameters != null ? { parameters: tool.function.parameters } : {}),
        ...(tool.function.strict != null ? { strict: tool.function.strict } : {}),
      },
    })),
    toolChoice: wire.tool_choice === undefined ? undefined : toToolChoice(wire.tool_choice),
  };
}

function toInferenceMessage(message: ChatMessage): InferenceMessage {
  return {
    role: message.role,
    content: message.content ?? null,
    name: message.name,
    toolCallId: message.tool_call_id,
    ...(message.role === 'assistant' && message.tool_calls ? { toolCalls: message.tool_calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })) } : {}),
  };
}

function toToolChoice(choice: NonNullable<ChatCompletionRequest['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}
