import type { ToolCall } from './completion-event';
/**
 * The request as the data plane sees it, whatever wire format it arrived in: the router, the
 * policy step, the redactor, token counting, accounting and the provider adapters read this type,
 * never a client's wire format. Each edge translates its wire format into it (api/ for OpenAI's
 * chat completions) and each adapter translates it into its provider's. Only what the data plane
 * acts on is here; wire-only fields (OpenAI's `n`, say) are checked and dropped at the edge.
 */
export interface InferenceRequest {
  /** What the client asked for: a route name, or a model (a one-candidate route). */
  readonly model: string;
  /** The conversation, oldest first; never empty. */
  readonly messages: readonly InferenceMessage[];
  /** Answer as a stream of events, rather than in one piece. */
  readonly stream?: boolean;
  /** Streaming only: end the stream with the token usage. */
  readonly streamUsage?: boolean;
  /** The most tokens the answer may take; absent: the provider's default. */
  readonly maxOutputTokens?: number;
  /**
   * Whether `maxOutputTokens` also bounds the model's reasoning tokens (OpenAI's
   * `max_completion_tokens`, which its reasoning models require) or only the visible answer (the
   * older `max_tokens`, the only one some OpenAI-compatible servers know). Kept so a provider
   * speaking OpenAI's format is asked in the terms the client chose.
   */
  readonly outputLimitCoversReasoning?: boolean;
  readonly temperature?: number;
  readonly topP?: number;
  /** Text that ends the answer where it appears; at most four. */
  readonly stopSequences?: readonly string[];
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
  /** Asks the provider for a reproducible answer. */
  readonly seed?: number;
  /** The client's own identifier for its end user, passed to providers for abuse monitoring. */
  readonly endUserId?: string;
  /** Tools the model may call; checked against the tenant's tool permissions. */
  readonly tools?: readonly InferenceTool[];
  readonly toolChoice?: ToolChoice;
}

export type MessageRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface InferenceMessage {
  readonly role: MessageRole;
  /** Text, or parts (text and media); null when the message carries none. */
  readonly content: string | readonly ContentPart[] | null;
  /** The participant's name, when the client gave one. */
  readonly name?: string;
  /** A `tool` message: the tool call it answers. */
  readonly toolCallId?: string;
  /** An `assistant` message: the tool calls the model made (the client sends them back with the results). */
  readonly toolCalls?: readonly ToolCall[];
}

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

/**
 * A part the data plane does not read (an image, audio, a file): kept exactly as the client sent
 * it, for providers that accept it; providers that take text only see the message's text.
 */
export interface OpaquePart {
  readonly type: string;
  readonly [field: string]: unknown;
}

export type ContentPart = TextPart | OpaquePart;

export interface InferenceTool {
  readonly name: string;
  /** The function's description and JSON-schema parameters, forwarded to providers that take tools. */
  readonly definition?: ToolDefinition;
}

export interface ToolDefinition {
  readonly description?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly strict?: boolean;
}

/** Whether the model may, must or must not call tools, or the one tool it must call. */
export type ToolChoice = 'none' | 'auto' | 'required' | { readonly name: string };

export function isTextPart(part: ContentPart): part is TextPart {
  return part.type === 'text' && typeof part.text === 'string';
}

/** The text of a message, with non-text parts (images, audio) left out. */
export function messageText(message: InferenceMessage): string {
  const { content } = message;
  if (content === null) return '';
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) if (isTextPart(part)) text += part.text;
  return text;
}
