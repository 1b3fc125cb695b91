import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createInProcessSessionWindow } from './in-process-session-window';
import { CONTRACT_LIMITS, runSessionWindowContract, storedResponse } from './session-window.contract';

runSessionWindowContract('in-process', () => createInProcessSessionWindow({ limits: CONTRACT_LIMITS }));

describe('in-process session window: TTL', () => {
  it('forgets responses and windows after the TTL, and stops counting expired responses', async () => {
    let now = 1_000_000;
    const window = createInProcessSessionWindow({ limits: { ...CONTRACT_LIMITS, ttlSeconds: 10 }, now: () => now });
    const tenantId = randomUUID();
    const response = storedResponse();
    await window.putResponse(tenantId, response);
    await window.appendTurns(tenantId, 's', [{ role: 'user', content: 'hi' }]);
    now += 9_999;
    expect(await window.getResponse(tenantId, response.id)).toEqual(response);
    now += 1;
    expect(await window.getResponse(tenantId, response.id)).toBeNull();
    expect(await window.recentTurns(tenantId, 's', 5)).toEqual([]);
    expect(await window.usage(tenantId)).toEqual({ responses: 0, bytes: 0 });
  });

  it('expired responses free the quota exactly, however they were read or replaced before', async () => {
    let now = 1_000_000;
    const window = createInProcessSessionWindow({ limits: { ...CONTRACT_LIMITS, ttlSeconds: 10 }, now: () => now });
    const tenantId = randomUUID();
    const [a, b, c] = [storedResponse(), storedResponse(), storedResponse()];
    await window.putResponse(tenantId, a);
    await window.putResponse(tenantId, b);
    now += 5_000;
    await window.putResponse(tenantId, { ...a, outputText: 'rewritten later, so it lives longer' });
    await window.putResponse(tenantId, c);
    now += 6_000; // b's TTL is over; a (rewritten) and c are live
    expect((await window.getResponse(tenantId, a.id))?.outputText).toBe('rewritten later, so it lives longer');
    expect(await window.getResponse(tenantId, b.id)).toBeNull();
    expect((await window.usage(tenantId)).responses).toBe(2);
    await window.putResponse(tenantId, storedResponse());
    await expect(window.putResponse(tenantId, storedResponse())).rejects.toThrow(/limit/);
    now += 10_000;
    expect(await window.usage(tenantId)).toEqual({ responses: 0, bytes: 0 });
  });
});
