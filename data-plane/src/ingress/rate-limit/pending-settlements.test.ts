import { describe, expect, it } from 'vitest';
import { PendingSettlements, slotOf, type SettlementBatch } from './pending-settlements';

describe('slotOf (Redis hash-tag rule)', () => {
  it('is the first non-empty {tag}, else the whole key', () => {
    expect(slotOf('p:rpm:{tenant-1}:key')).toBe('tenant-1');
    expect(slotOf('tpd-tenant:{t}')).toBe('t');
    expect(slotOf('a{}b{c}')).toBe('a{}b{c}');
    expect(slotOf('no-tag')).toBe('no-tag');
    expect(slotOf('open{only')).toBe('open{only');
    expect(slotOf('{x}{y}')).toBe('x');
  });
});

describe('PendingSettlements', () => {
  it('groups by slot; taking a slot leaves the others waiting; a failed script rejects its waiters only', async () => {
    const flushed: SettlementBatch[] = [];
    const pending = new PendingSettlements(async (batch) => void flushed.push(batch), 3_600_000);
    const a1 = pending.add(['k:{a}:1'], ['10', '-5']);
    const b1 = pending.add(['k:{b}:1'], ['10', '3']);
    const a2 = pending.add(['k:{a}:2', 'k:{a}:3'], ['10', '-1', '10', '-2']);
    const taken = pending.take('a');
    expect(taken?.keys).toEqual(['k:{a}:1', 'k:{a}:2', 'k:{a}:3']);
    expect(taken?.args).toEqual(['10', '-5', '10', '-1', '10', '-2']);
    expect(pending.take('a')).toBeUndefined();
    taken?.done(new Error('redis down'));
    await expect(a1).rejects.toThrow('redis down');
    await expect(a2).rejects.toThrow('redis down');
    await pending.flushAll();
    expect(flushed.map((batch) => batch.keys)).toEqual([['k:{b}:1']]);
    flushed[0]?.done();
    await expect(b1).resolves.toBeUndefined();
  });
});
