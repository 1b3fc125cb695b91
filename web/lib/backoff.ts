/**
 * Reconnect delay for the live subscription: exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter" (half fixed, half random) so a restarted gateway is not hit by every tab at once.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random, baseMs = 500, maxMs = 15_000): number {
  const safeAttempt = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(safeAttempt, 30));
  const jitter = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * jitter);
}
