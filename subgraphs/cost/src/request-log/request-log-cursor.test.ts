import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './request-log-cursor';

describe('request log cursor', () => {
  it('round-trips', () => {
    const cursor = { startedAt: new Date('2026-12-08T10:00:00.123Z'), requestId: 'abc' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['wrong shape', Buffer.from(JSON.stringify({ t: '2026-12-08T10:00:00Z' })).toString('base64url')],
    ['extra fields', Buffer.from(JSON.stringify({ t: '2026-12-08T10:00:00Z', r: 'x', tenant: 'other' })).toString('base64url')],
    ['bad date', Buffer.from(JSON.stringify({ t: 'yesterday', r: 'x' })).toString('base64url')],
    ['oversized', 'A'.repeat(600)],
    ['SQL in the id', Buffer.from(JSON.stringify({ t: '2026-12-08T10:00:00Z', r: 'x'.repeat(201) })).toString('base64url')],
  ])('rejects a hostile cursor: %s', (_name, text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});
