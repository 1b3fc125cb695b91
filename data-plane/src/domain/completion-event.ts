/**
 * What an answer is made of, whichever provider produced it: adapters translate their provider's
 * stream into these events, the router races and fails over on the first one, and the edge
 * shapes them into its wire format.
 */
export type CompletionEvent =
  | { type: 'delta'; content: string }
  | { type: 'finish'; finishReason: FinishReason }
  | { type: 'usage'; promptTokens: number; completionTokens: number };

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';
