import { z } from 'zod';
import type { InferenceMessage, InferenceRequest, InferenceTool, ToolChoice } from '../../domain/inference-request';
import { ApiError } from '../../errors';
import { formatIssuePath } from '../chat-completion-request';

/**
 * The subset of OpenAI's Responses API request (`POST /v1/responses`) Switchyard understands,
 * validated at the edge and translated into the data plane's request. Unknown fields are dropped.
 * Items Switchyard cannot act on (built-in tools, item references, reasoning items) are refused
 * with `invalid_request` naming the field, never silently ignored.
 */
const textPart = z.object({ type: z.enum(['input_text', 'output_text']), text: z.string() });
const otherPart = z.looseObject({ type: z.enum(['input_image', 'input_file', 'input_audio']) });
const messageItem = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(z.union([textPart, otherPart])).max(256)]),
});
const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1).max(256),
  output: z.string(),
});
/** A function call the model made earlier, sent back by the client beside its output. */
const functionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1).max(256),
  name: z.string().min(1).max(64),
  arguments: z.string(),
  id: z.string().max(256).optional(),
  status: z.string().optional(),
});
const inputItem = z.union([messageItem, functionCallOutputItem, functionCallItem]);

const toolNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a tool name is 1 to 64 letters, digits, underscores or dashes');
const functionTool = z.object({
  type: z.literal('function'),
  name: toolNameSchema,
  description: z.string().max(8_192).nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});
const toolChoiceSchema = z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), name: toolNameSchema })]);

/** Stored and echoed: OpenAI's bounds (16 pairs, 64-character keys, 512-character values). */
const metadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, 'at most 16 metadata pairs');

/** Response ids are ours (`resp_` + 32 hex); anything else cannot name a stored response. */
export const RESPONSE_ID_PATTERN = /^resp_[0-9a-f]{32}$/;

export const responsesRequestSchema = z.object({
  model: z.string().min(1).max(256),
  input: z.union([z.string(), z.array(inputItem).min(1).max(2048)]),
  instructions: z.string().nullable().optional(),
  previous_response_id: z.string().max(256).nullable().optional(),
  store: z.boolean().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  user: z.string().max(256).optional(),
  metadata: metadataSchema.nullable().optional(),
  tools: z.array(functionTool).max(128).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

export function parseResponsesRequest(body: unknown): ResponsesRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('invalid_request', { message: 'The request body must be a JSON object.' });
  }
  const parsed = responsesRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue ? formatIssuePath(issue.path) : undefined;
  const detail = issue ? issue.message : 'invalid request';
  throw new ApiError('invalid_request', { param, message: param ? `Invalid value for '${param}': ${detail}` : detail });
}

/** The request's own input as messages (without instructions or earlier turns). */
export function inputMessages(wire: ResponsesRequest): InferenceMessage[] {
  if (typeof wire.input === 'string') return [{ role: 'user', content: wire.input }];
  return wire.input.map((item): InferenceMessage => {
    if (item.type === 'function_call_output') return { role: 'tool', content: item.output, toolCallId: item.call_id };
    if (item.type === 'function_call') return { role: 'assistant', content: null, toolCalls: [{ id: item.call_id, name: item.name, arguments: item.arguments }] };
    if (typeof item.content === 'string') return { role: item.role, content: item.content };
    // Input and output text parts are text to every provider; other parts travel as they came.
    return { role: item.role, content: item.content.map((part) => ('text' in part && typeof part.text === 'string' ? { type: 'text', text: part.text } : part)) };
  });
}

/**
 * OpenAI's Responses request as the data plane's own: `instructions` first (a system message, not
 * carried into later turns, as at OpenAI), then the earlier conversation (`context`: the stored
 * turns of `previous_response_id`), then this request's input.
 */
export function toInferenceRequest(wire: ResponsesRequest, context: readonly InferenceMessage[]): InferenceRequest {
  const stream = wire.stream === true;
  const messages: InferenceMessage[] = [];
  if (wire.instructions) messages.push({ role: 'system', content: wire.instructions });
  messages.push(...context, ...inputMessages(wire));
  return {
    model: wire.model,
    messages,
    stream,
    streamUsage: stream,
    maxOutputTokens: wire.max_output_tokens ?? undefined,
    outputLimitCoversReasoning: wire.max_output_tokens != null,
    temperature: wire.temperature ?? undefined,
    topP: wire.top_p ?? undefined,
    endUserId: wire.user,
    tools: wire.tools?.map(toInferenceTool),
    toolChoice: wire.tool_choice === undefined ? undefined : toToolChoice(wire.tool_choice),
  };
}

function toInferenceTool(tool: NonNullable<ResponsesRequest['tools']>[number]): InferenceTool {
  return {
    name: tool.name,
    definition: {
      ...(tool.description != null ? { description: tool.description } : {}),
      ...(tool.parameters != null ? { parameters: tool.parameters } : {}),
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    },
  };
}

function toToolChoice(choice: NonNullable<ResponsesRequest['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.name };
}
