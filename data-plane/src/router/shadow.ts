import type { Logger } from 'pino';
import type { Execution, Upstream } from './execute';

/** How a shadow leg ended: what it generated (billed as shadow cost) and how long it took. */
export interface ShadowOutcome {
  upstream: Upstream;
  status: 'ok' | 'error';
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  /** Why it failed (error or timeout); absent when it answered. */
  error?: string;
  /** What it answered, up to MAX_KEPT_CHARS (what an experiment's judge reads); empty when it failed. */
  text: string;
}

/** The part of an answer kept for the judge: it reads no more than this (router/judge.ts). */
export const MAX_KEPT_CHARS = 16_000;

export interface ShadowDeps {
  clock: () => number;
  logger: Pick<Logger, 'debug'>;
  /** One round on the challenger alone (the router's execute with a one-upstream plan). */
  execute: (signal: AbortSignal) => Promise<Execution>;
}

/**
 * Runs a shadow leg (or an experiment's judge) to its end; the answer reaches no client. It runs after the champion answered, on a
 * signal of its own (the client going away does not cancel it, a timeout does), and it never
 * throws: whatever the challenger does (fail, hang, stream garbage) becomes this outcome, so the
 * client's request cannot be hurt by it.
 */
export async function runShadow(deps: ShadowDeps, upstream: Upstream, timeoutMs: number): Promise<ShadowOutcome> {
  const startedAt = deps.clock();
  const timeout = AbortSignal.timeout(timeoutMs);
  let promptTokens = 0;
  let completionTokens = 0;
  let text = 0;
  let kept = '';
  try {
    const { winner } = await deps.execute(timeout);
    let outcome: 'success' | 'failure' = 'failure';
    try {
      for (let step = winner.first; !step.done; step = await nextOrAbort(winner.iterator, timeout)) {
        const event = step.value;
        if (event.type === 'delta') {
          text += event.content.length;
          if (kept.length < MAX_KEPT_CHARS) kept += event.content.slice(0, MAX_KEPT_CHARS - kept.length);
        }
        else if (event.type === 'usage') {
          promptTokens = event.promptTokens;
          completionTokens = event.completionTokens;
        }
      }
      outcome = 'success';
    } finally {
      winner.finish(outcome);
      if (outcome === 'failure') void winner.iterator.return?.();
    }
    // A provider that reports no usage: roughly four characters a token, as the data plane estimates elsewhere.
    if (completionTokens === 0 && text > 0) completionTokens = Math.ceil(text / 4);
    return { upstream, status: 'ok', promptTokens, completionTokens, latencyMs: deps.clock() - startedAt, text: kept };
  } catch (error) {
    const message = timeout.aborted ? `shadow leg timed out after ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
    deps.logger.debug({ upstream: upstream.key, err: message }, 'shadow leg failed (the client was not affected)');
    return { upstream, status: 'error', promptTokens, completionTokens, latencyMs: deps.clock() - startedAt, error: message, text: '' };
  }
}

/** The next event, or a rejection as soon as the signal aborts (an adapter may not watch it mid-stream). */
function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
