import { describe, expect, it } from 'vitest';
import { createSloThrottle } from './slo-throttle';

describe('SloThrottle', () => {
  it('throttles a route while any of its SLOs pages, per tenant', () => {
    const throttle = createSloThrottle([{ tenantId: 't1', route: 'chat', sloId: 'a' }]);
    expect(throttle.throttles('t1', 'chat')).toBe(true);
    expect(throttle.throttles('t2', 'chat')).toBe(false);
    expect(throttle.throttles('t1', 'other')).toBe(false);
    throttle.apply({ tenantId: 't1', route: 'chat', sloId: 'b', action: 'engage' });
    throttle.apply({ tenantId: 't1', route: 'chat', sloId: 'a', action: 'release' });
    expect(throttle.throttles('t1', 'chat')).toBe(true);
    throttle.apply({ tenantId: 't1', route: 'chat', sloId: 'b', action: 'release' });
    expect(throttle.throttles('t1', 'chat')).toBe(false);
    // A release nobody engaged (a replayed message) changes nothing.
    throttle.apply({ tenantId: 't1', route: 'chat', sloId: 'b', action: 'release' });
    expect(throttle.size()).toBe(0);
  });
});
