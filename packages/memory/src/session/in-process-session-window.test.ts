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
});
