import { describe, expect, it } from 'vitest';
import { EMPTY_DRAFT, filterFromDraft, formatMs, mergeNewest, outcomeOf } from './request-log-format';

describe('request log form', () => {
  const now = Date.parse('2026-12-08T12:00:00Z');

  it('turns the form into the API filter', () => {
    const result = filterFromDraft({ ...EMPTY_DRAFT, window: 'LAST_HOUR', outcome: 'REFUSED', status: '429', traceId: 'ABCDEF0123456789ABCDEF0123456789', minCostUsd: '0.5' }, now);
    expect(result).toEqual({ ok: true, filter: { from: '2026-12-08T11:00:00.000Z', outcome: 'REFUSED', status: 429, traceId: 'abcdef0123456789abcdef0123456789', minCostUsd: 0.5 } });
  });

  it.each([
    [{ status: '42' }, /HTTP status/],
    [{ apiKeyId: 'key-1' }, /UUID/],
    [{ traceId: 'xyz' }, /32 hexadecimal/],
    [{ minLatencyMs: '-1' }, /whole number/],
    [{ minCostUsd: 'lots' }, /USD/],
  ])('explains a bad field %j', (fields, message) => {
    const result = filterFromDraft({ ...EMPTY_DRAFT, ...fields }, now);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('names outcomes and formats latency', () => {
    expect(outcomeOf({ status: 429, refused: true, errorCode: 'rate_limit_exceeded' })).toBe('refused');
    expect(outcomeOf({ status: 200, refused: false, errorCode: 'upstream_error' })).toBe('error');
    expect(outcomeOf({ status: 200, refused: false, errorCode: null })).toBe('ok');
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(null)).toBe('—');
  });
});

describe('mergeNewest', () => {
  const row = (requestId: string) => ({ requestId });

  it('puts entries not shown yet on top, newest first, and keeps older loaded pages', () => {
    const shown = [row('c'), row('b'), row('a')];
    expect(mergeNewest(shown, [row('e'), row('d'), row('c'), row('b')]).map((r) => r.requestId)).toEqual(['e', 'd', 'c', 'b', 'a']);
  });

  it('returns the same rows when nothing is new', () => {
    const shown = [row('b'), row('a')];
    expect(mergeNewest(shown, [row('b')])).toBe(shown);
  });
});
