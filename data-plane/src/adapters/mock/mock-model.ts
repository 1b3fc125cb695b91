import { createHash } from 'node:crypto';
import { countPromptTokens } from '../../accounting/token-count';
import type { FinishReason } from '../../domain/completion-event';
import { messageText, type InferenceRequest } from '../../domain/inference-request';

/**
 * The deterministic mock model, pure. The same request always yields the same words, chunks
 * and token counts: the output is drawn from a PRNG seeded with a SHA-256 of model + messages.
 * Behaviour (latency, chunking, failures) is chosen by directives; see README.md beside this file.
 */
export const MOCK_MODELS = ['mock-gpt', 'mock-large', 'mock-mini', 'mock-judge'] as const;

/** The mock judge: its whole answer is one score in [0, 1] (see README.md beside this file). */
export const MOCK_JUDGE_MODEL = 'mock-judge';

export function isMockModel(model: string): boolean {
  return model.startsWith('mock');
}

export interface MockDirectives {
  /** Fail before the first byte with this HTTP status. */
  status?: number;
  /** Retry-After seconds sent with `status`. */
  retryAfterSeconds?: number;
  /** Emit this many chunks, then fail (connection cut / error). */
  failAfterChunks?: number;
  /** Answer 200 with a body that is not valid JSON (HTTP server only; in-process: upstream error). */
  malformedJson?: boolean;
  /** Accept the request and never answer. */
  hang?: boolean;
  /** Number of content chunks in the answer. */
  chunks?: number;
  firstTokenLatencyMs?: number;
  chunkLatencyMs?: number;
  /** The mock judge's answer (0..1) instead of one derived from a hash of what it was asked. */
  score?: number;
}

const DIRECTIVE_GROUP = /\[mock:([^\]]*)\]/gi;
const MAX_CHUNKS = 1_000;
const MAX_LATENCY_MS = 60_000;

function boundedInt(value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

/**
 * Parses `key=value` / `flag` words separated by spaces or commas, e.g.
 * `status=503 retry-after=2`. Unknown or out-of-range words are ignored.
 */
export function parseDirectiveWords(text: string): MockDirectives {
  const directives: MockDirectives = {};
  for (const word of text.split(/[\s,]+/)) {
    if (!word) continue;
    const [rawKey, value] = word.split('=', 2);
    const key = rawKey?.toLowerCase();
    switch (key) {
      case 'status':
        directives.status = boundedInt(value, 400, 599);
        break;
      case 'retry-after':
        directives.retryAfterSeconds = boundedInt(value, 0, 86_400);
        break;
      case 'fail-after':
        directives.failAfterChunks = boundedInt(value, 0, MAX_CHUNKS);
        break;
      case 'malformed-json':
        directives.malformedJson = true;
        break;
      case 'hang':
        directives.hang = true;
        break;
      case 'chunks':
        directives.chunks = boundedInt(value, 1, MAX_CHUNKS);
        break;
      case 'first-token-ms':
        directives.firstTokenLatencyMs = boundedInt(value, 0, MAX_LATENCY_MS);
        break;
      case 'chunk-ms':
        directives.chunkLatencyMs = boundedInt(value, 0, MAX_LATENCY_MS);
        break;
      case 'score':
        directives.score = value !== undefined && /^(0(\.\d{1,6})?|1(\.0{1,6})?)$/.test(value) ? Number(value) : undefined;
        break;
      default:
        break;
    }
  }
  for (const key of Object.keys(directives) as (keyof MockDirectives)[]) if (directives[key] === undefined) delete directives[key];
  return directives;
}

/** Directives in `[mock: ...]` groups of the last user message. */
export function directivesFromPrompt(request: Pick<InferenceRequest, 'messages'>): MockDirectives {
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
  if (!lastUser) return {};
  let directives: MockDirectives = {};
  for (const match of messageText(lastUser).matchAll(DIRECTIVE_GROUP)) {
    directives = { ...directives, ...parseDirectiveWords(match[1] ?? '') };
  }
  return directives;
}

const VOCABULARY = [
  'switchyard', 'routes', 'tokens', 'through', 'the', 'gateway', 'with', 'care', 'and', 'every', 'request',
  'is', 'counted', 'once', 'models', 'answer', 'quickly', 'a', 'deterministic', 'mock', 'reply', 'for',
  'testing', 'streams', 'budgets', 'policies', 'tenants', 'latency', 'quota', 'audit', 'ledger', 'cost',
] as const;

/** mulberry32: tiny, fast, good enough to pick words reproducibly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const LENGTH_BY_MODEL: Record<string, { min: number; spread: number }> = {
  'mock-mini': { min: 4, spread: 8 },
  'mock-gpt': { min: 8, spread: 16 },
  'mock-large': { min: 16, spread: 32 },
};

export interface MockCompletion {
  /** Content chunks in order; joined they are the whole answer. */
  chunks: string[];
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason;
}

export function mockCompletion(request: InferenceRequest, directives: MockDirectives = {}): MockCompletion {
  const digest = createHash('sha256')
    .update(JSON.stringify([request.model, request.messages.map((m) => [m.role, messageText(m)])]))
    .digest();
  const random = prng(digest.readUInt32BE(0));
  if (request.model === MOCK_JUDGE_MODEL) return judgeCompletion(request, directives, random);
  const shape = LENGTH_BY_MODEL[request.model] ?? { min: 8, spread: 16 };
  let wordCount = Math.max(shape.min + Math.floor(random() * shape.spread), directives.chunks ?? 0);
  const maxTokens = request.maxOutputTokens;
  let finishReason: FinishReason = 'stop';
  if (maxTokens !== undefined && wordCount > maxTokens) {
    wordCount = maxTokens;
    finishReason = 'length';
  }
  // One word is one token.
  const words = Array.from({ length: wordCount }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)] ?? 'mock');
  const chunkCount = Math.min(directives.chunks ?? wordCount, wordCount);
  const chunks: string[] = [];
  for (let i = 0; i < chunkCount; i++) {
    const from = Math.floor((i * wordCount) / chunkCount);
    const to = Math.floor(((i + 1) * wordCount) / chunkCount);
    const text = words.slice(from, to).join(' ');
    chunks.push(i === 0 ? text : ` ${text}`);
  }
  return { chunks, promptTokens: countPromptTokens(request), completionTokens: wordCount, finishReason };
}

/**
 * The mock judge's answer: the configured `score`, else one derived from a hash of the whole
 * request (so the same question and answer always get the same score, and different answers,
 * e.g. the champion's and the challenger's, usually different ones), two decimals.
 */
function judgeCompletion(request: InferenceRequest, directives: MockDirectives, random: () => number): MockCompletion {
  const score = directives.score ?? Math.round(random() * 100) / 100;
  return { chunks: [String(score)], promptTokens: countPromptTokens(request), completionTokens: 1, finishReason: 'stop' };
}
