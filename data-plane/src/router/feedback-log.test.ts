import { describe, expect, it } from 'vitest';
import { createFeedbackLog } from './feedback-log';

const served = (tenantId: string) => ({ tenantId, route: 'r', upstream: 'p/m' });

describe('feedback log', () => {
  it('hands an entry out once, and only to its tenant', () => {
    const log = createFeedbackLog();
    log.remember('req-1', served('t1'));
    expect(log.take('req-1', 't2')).toBeUndefined();
    expect(log.take('req-1', 't1')).toEqual(served('t1'));
    expect(log.take('req-1', 't1')).toBeUndefined();
  });

  it('stays bounded: a flood of requests forgets the oldest first', () => {
    const log = createFeedbackLog(3);
    for (let i = 0; i < 1_000; i++) log.remember(`req-${i}`, served('t'));
    expect(log.take('req-996', 't')).toBeUndefined();
    expect(log.take('req-997', 't')).toBeDefined();
    expect(log.take('req-999', 't')).toBeDefined();
  });
});
