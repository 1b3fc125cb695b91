import type { SessionTurn } from '@switchyard/memory/session';
import type { ToolCall } from '../domain/completion-event';
import { messageText, type InferenceMessage } from '../domain/inference-request';

/**
 * Messages as the memory fabric keeps them (text, plus tool calls and the call a tool result
 * answers, which a provider needs to accept a continued conversation) and back.
 */
export function turnOf(message: InferenceMessage): SessionTurn {
  return {
    role: message.role,
    content: messageText(message),
    ...(message.toolCalls && message.toolCalls.length > 0 ? { toolCalls: message.toolCalls.map((call) => ({ ...call })) } : {}),
    ...(message.toolCallId !== undefined ? { toolCallId: message.toolCallId } : {}),
  };
}

export function messageOf(turn: SessionTurn): InferenceMessage {
  return {
    role: turn.role,
    // An assistant turn that only called tools has no text: OpenAI wants null content there.
    content: turn.content === '' && turn.toolCalls ? null : turn.content,
    ...(turn.toolCalls ? { toolCalls: turn.toolCalls } : {}),
    ...(turn.toolCallId !== undefined ? { toolCallId: turn.toolCallId } : {}),
  };
}

/** The answer as the conversation's next turn. */
export function answerTurn(text: string, toolCalls: readonly ToolCall[] = []): SessionTurn {
  const calls = toolCalls.filter((call) => call !== undefined);
  return { role: 'assistant', content: text, ...(calls.length > 0 ? { toolCalls: calls.map((call) => ({ ...call })) } : {}) };
}
