/**
 * What an answer is made of, whichever provider produced it: adapters translate their provider's
 * stream into these events, the router races and fails over on the first one, and the edge
 * shapes them into its wire format.
 */
export type CompletionEvent =
  | { type: 'delta'; content: string }
  | { type: 'finish'; finishReason: FinishReason }
  | { type: 'usage'; promptTokens: number; completionTokens: number }
  /**
   * A fragment of a tool call the model makes: the call at `index` gets its id and name on its
   * first fragment and its JSON arguments in pieces, as OpenAI streams them (toolCallsOf folds them).
   */
  | { type: 'tool_call'; index: number; id?: string; name?: string; arguments: string };

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';

/** A whole tool call the model made. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** JSON text, as the model wrote it (not parsed: it is the client's to read). */
  readonly arguments: string;
}

/** Folds a tool-call fragment into the calls so far (by index). Pure. */
export function foldToolCall(calls: ToolCall[], event: Extract<CompletionEvent, { type: 'tool_call' }>): void {
  const current = calls[event.index];
  calls[event.index] = {
    id: event.id ?? current?.id ?? '',
    name: event.name ?? current?.name ?? '',
    arguments: (current?.arguments ?? '') + event.arguments,
  };
}
