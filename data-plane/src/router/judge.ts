import { messageText, type InferenceMessage, type InferenceRequest } from '../domain/inference-request';

/**
 * The automatic judge of an experiment, pure: the request a judge model is asked, and how its
 * answer becomes a score. The judge sees the conversation's last user message (already redacted:
 * only the redacted request exists past ingress) and the arm's answer, each cut to a bound, and
 * is asked for one number from 0 to 1.
 */

/** Characters of the question and of the answer the judge sees (an answer longer than this is judged on its start). */
export const JUDGED_CHARS = 8_000;

/** The judge's own answer is one number: a few tokens are enough, and bound its cost. */
const JUDGE_MAX_OUTPUT_TOKENS = 16;

export const JUDGE_INSTRUCTIONS =
  'You grade answers. Read the question and the answer, then rate how well the answer serves the question, ' +
  'from 0 (useless or wrong) to 1 (complete and correct). Reply with the number only, e.g. 0.7.';

/**
 * The judge's request. The grading instruction is the last user message, so nothing in the
 * client's question or the arm's answer is read as the final instruction (nor, with the mock
 * provider, as its `[mock: ...]` directives).
 */
export function judgeRequest(judgeModel: string, request: Pick<InferenceRequest, 'messages'>, answer: string): InferenceRequest {
  const question = lastUserText(request.messages);
  const messages: InferenceMessage[] = [
    { role: 'system', content: JUDGE_INSTRUCTIONS },
    { role: 'user', content: `Question:\n${cut(question)}` },
    { role: 'user', content: `Answer:\n${cut(answer)}` },
    { role: 'user', content: 'Score the answer from 0 to 1. Reply with the number only.' },
  ];
  return { model: judgeModel, messages, stream: false, maxOutputTokens: JUDGE_MAX_OUTPUT_TOKENS, temperature: 0 };
}

/**
 * The score in a judge's answer: its first number, when it lies in [0, 1]; undefined otherwise
 * (an answer the judge did not give as asked counts nothing rather than something made up).
 */
export function parseJudgeScore(text: string): number | undefined {
  const match = /(?<![\d.-])(\d+(?:\.\d+)?|\.\d+)/.exec(text.slice(0, 200));
  if (!match) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

function lastUserText(messages: readonly InferenceMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'user') return messageText(message);
  }
  return '';
}

function cut(text: string): string {
  return text.length > JUDGED_CHARS ? `${text.slice(0, JUDGED_CHARS)}…` : text;
}
