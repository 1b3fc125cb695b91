import { describe, expect, it } from 'vitest';
import { createInProcessLease } from './in-process-lease';
import { runLeaseContract } from './lease.contract';

runLeaseContract('in-process', () => createInProcessLease());

describe('in-process lease', () => {
  it('expires exactly at its TTL on its clock', async () => {
    let now = 1_000;
    const leases = createInProcessLease(() => now);
    const a = (await leases.acquire('x', 'a', 100))!;
    now = 1_099;
    expect(await leases.acquire('x', 'b', 100)).toBeNull();
    now = 1_100;
    expect(await leases.renew(a, 100)).toBe(false);
    expect((await leases.acquire('x', 'b', 100))?.token).toBe(a.token + 1);
  });
});
