import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DpService } from './dp-service';
import { startExpiryJob } from './expiry-job';

const quiet = { info: () => undefined, warn: () => undefined, error: vi.fn() };

function fakeService(releaseExpired: () => Promise<number>): DpService {
  return { releaseExpired } as unknown as DpService;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('expiry job', () => {
  it('sweeps on every interval and never runs two sweeps at once', async () => {
    vi.useFakeTimers();
    let finish: (count: number) => void = () => undefined;
    const releaseExpired = vi.fn(() => new Promise<number>((resolve) => (finish = resolve)));
    const job = startExpiryJob({ service: fakeService(releaseExpired), logger: quiet, intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(releaseExpired).toHaveBeenCalledTimes(1);
    // Still running: the next tick joins the same sweep instead of starting another.
    await vi.advanceTimersByTimeAsync(1000);
    expect(releaseExpired).toHaveBeenCalledTimes(1);
    finish(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(releaseExpired).toHaveBeenCalledTimes(2);
    finish(0);
    await job.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(releaseExpired).toHaveBeenCalledTimes(2);
  });

  it('logs a failed sweep and keeps going', async () => {
    vi.useFakeTimers();
    const releaseExpired = vi.fn().mockRejectedValueOnce(new Error('database down')).mockResolvedValue(0);
    const job = startExpiryJob({ service: fakeService(releaseExpired), logger: quiet, intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(quiet.error).toHaveBeenCalledWith({ err: 'database down' }, 'dp reservation expiry sweep failed');
    expect(releaseExpired).toHaveBeenCalledTimes(2);
    await job.stop();
  });
});
