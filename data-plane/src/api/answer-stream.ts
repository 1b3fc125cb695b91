import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { countPromptTokens, estimateCompletionTokens } from '../accounting/token-count';
import { foldToolCall, type CompletionEvent, type FinishReason, type ToolCall } from '../domain/completion-event';
import type { InferenceRequest } from '../domain/inference-request';
import { startEventStream } from '../http/respond';
import type { WinningLeg } from '../router/execute';
import type { Delivery } from '../router/router';

/**
 * What the wire formats other than chat completions (responses, legacy completions) share: a
 * winning leg read whole, or streamed through an encoder, with the same rules as chat
 * (chat-completion-answer.ts): a buffered answer that fails sends nothing, so the router may fail
 * over; a stream that fails after its first byte ends with the format's error event.
 */
export interface AnswerTally {
  text: string;
  /** The tool calls the model made, by index. */
  toolCalls: ToolCall[];
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  finishReason: FinishReason;
}

export function newTally(): AnswerTally {
  return { text: '', toolCalls: [], promptTokens: undefined, completionTokens: undefined, finishReason: 'stop' };
}

export function applyEvent(event: CompletionEvent, tally: AnswerTally): void {
  if (event.type === 'delta') tally.text += event.content;
  else if (event.type === 'usage') {
    tally.promptTokens = event.promptTokens;
    tally.completionTokens = event.completionTokens;
  } else if (event.type === 'tool_call') foldToolCall(tally.toolCalls, event);
  else tally.finishReason = event.finishReason;
}

/** The leg's tokens (reported, else estimated) and its text. */
export function deliveredOf(outcome: Delivery['outcome'], tally: AnswerTally, request: InferenceRequest, error?: { error: unknown; retryable: boolean }): Delivery {
  const promptTokens = tally.promptTokens ?? countPromptTokens(request);
  const completionTokens = tally.completionTokens ?? estimateCompletionTokens(tally.text);
  const base = { outcome, promptTokens, completionTokens, text: tally.text, toolCalls: tally.toolCalls.filter((call) => call !== undefined) };
  return error ? { ...base, error: error.error, retryable: error.retryable } : base;
}

/** Reads the whole answer; `failed` (retryable) when the provider broke before the end. */
export async function collectAnswer(winner: WinningLeg, request: InferenceRequest, response: ServerResponse): Promise<{ delivery: Delivery; tally: AnswerTally }> {
  const { iterator } = winner;
  const tally = newTally();
  try {
    for (let step = winner.first; !step.done; step = await iterator.next()) applyEvent(step.value, tally);
  } catch (error) {
    await iterator.return?.().catch(() => undefined);
    if (response.destroyed) return { delivery: deliveredOf('cancelled', tally, request), tally };
    return { delivery: deliveredOf('failed', tally, request, { error, retryable: true }), tally };
  }
  return { delivery: deliveredOf('ok', tally, request), tally };
}

/** A wire format's stream: the frames before the first delta, one per delta (text or tool call), the end (may store first), and the error frame. */
export interface StreamEncoder {
  open(): string;
  delta(content: string): string;
  /** A tool-call fragment; absent: tool calls are sent whole at the end by `close`. */
  toolCall?(event: Extract<CompletionEvent, { type: 'tool_call' }>): string;
  close(tally: AnswerTally, delivery: Delivery): Promise<string> | string;
  fail(error: unknown): string;
}

export async function streamAnswer(logger: Logger, requestId: string, request: InferenceRequest, winner: WinningLeg, response: ServerResponse, encoder: StreamEncoder): Promise<Delivery> {
  const { iterator } = winner;
  const tally = newTally();
  const opening = encoder.open();
  // With an opening frame the headers ride in its write; without one (legacy completions) they go at once.
  startEventStream(response, opening ? 'with-first-frame' : 'now');
  // A promise only when the client pushes back: an unhurried stream costs no promise per frame.
  const write = (text: string): Promise<void> | undefined => {
    if (response.destroyed) throw new Error('client disconnected');
    if (response.write(text)) return undefined;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  };
  let answer: Delivery;
  try {
    await write(opening);
    for (let step = winner.first; !step.done; step = await iterator.next()) {
      applyEvent(step.value, tally);
      const event = step.value;
      const frame = event.type === 'delta' ? encoder.delta(event.content) : event.type === 'tool_call' && encoder.toolCall ? encoder.toolCall(event) : undefined;
      if (frame) {
        const pushedBack = write(frame);
        if (pushedBack) await pushedBack;
      }
    }
    answer = deliveredOf('ok', tally, request);
    const closing = await encoder.close(tally, answer);
    if (response.destroyed) throw new Error('client disconnected');
    response.end(closing);
    return answer;
  } catch (error) {
    await iterator.return?.().catch(() => undefined);
    if (response.destroyed) {
      logger.info({ requestId }, 'client disconnected mid-stream');
      return deliveredOf('cancelled', tally, request);
    }
    logger.warn({ err: error, requestId }, 'provider failed mid-stream');
    response.end(encoder.fail(error));
    return deliveredOf('failed', tally, request, { error, retryable: false });
  }
}
