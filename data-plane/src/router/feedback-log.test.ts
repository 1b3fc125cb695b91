import { describe, expect, it } from 'vitest';
import { runFeedbackLogContract } from './feedback-log.contract';
import { createInMemoryFeedbackLog } from './feedback-log';

runFeedbackLogContract('in-memory', () => createInMemoryFeedbackLog());

describe('in-memory feedback log', () => {
  it('stays bounded: a flood of requests forgets the oldest first', async () => {
    const log = createInMemoryFeedbackLog(3);
    for (let i = 0; i < 1_000; i++) await log.remember(`req-${i}`, { tenantId: 't', route: 'r', upstream: 'p/m' });
    expect(await log.take('req-996', 't')).toBeUndefined();
    expect(await log.take('req-997', 't')).toBeDefined();
    expect(await log.take('req-999', 't')).toBeDefined();
  });
});
