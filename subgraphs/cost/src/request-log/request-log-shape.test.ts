import { describe, expect, it } from 'vitest';
import { latencyGroupsOf, statsRange } from './request-log-shape';

describe('latency groups', () => {
  it('fills every bucket of the window, oldest first, with rates per bucket', () => {
    const { from, to, bucketSeconds } = statsRange('LAST_HOUR', new Date('2026-12-08T10:30:10Z'));
    expect(from.toISOString()).toBe('2026-12-08T09:31:00.000Z');
    expect(to.toISOString()).toBe('2026-12-08T10:31:00.000Z');
    const group = { key: 'r', requests: 4, errors: 1, refused: 1, p50: 10, p95: 20.04, p99: 30 };
    const [shaped] = latencyGroupsOf([group], [{ ...group, bucket: new Date('2026-12-08T10:30:00Z') }], from, to, bucketSeconds);
    expect(shaped!.series).toHaveLength(60);
    expect(shaped!.series[0]).toMatchObject({ requests: 0, errorRate: 0, p50Ms: null });
    expect(shaped!.series[59]).toMatchObject({ requests: 4, errorRate: 0.25, refusedRate: 0.25, p95Ms: 20 });
    expect(shaped!.errorRate).toBe(0.25);
  });

  it('has no division by zero for an empty group', () => {
    const { from, to, bucketSeconds } = statsRange('LAST_24_HOURS', new Date('2026-12-08T10:30:00Z'));
    const [shaped] = latencyGroupsOf([{ key: '', requests: 0, errors: 0, refused: 0, p50: null, p95: null, p99: null }], [], from, to, bucketSeconds);
    expect(shaped!.series).toHaveLength(48);
    expect(shaped!.errorRate).toBe(0);
  });
});
