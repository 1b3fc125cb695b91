import { describe, expect, it } from 'vitest';
import { decodeSessionCursor, encodeSessionCursor } from './cursor';

describe('session page cursors', () => {
  it('round-trips a position', () => {
    const cursor = { updatedAt: new Date('2026-12-07T10:00:00.123Z'), sessionId: 'resp_abc' };
    expect(decodeSessionCursor(encodeSessionCursor(cursor))).toEqual(cursor);
  });

  it('refuses what it did not issue: garbage, wrong shapes, oversized text', () => {
    expect(decodeSessionCursor('not base64!')).toBeNull();
    expect(decodeSessionCursor(Buffer.from('{"u":"yesterday","s":"x"}').toString('base64url'))).toBeNull();
    expect(decodeSessionCursor(Buffer.from('[1,2]').toString('base64url'))).toBeNull();
    expect(decodeSessionCursor(Buffer.from('{oops').toString('base64url'))).toBeNull();
    expect(decodeSessionCursor('A'.repeat(601))).toBeNull();
  });
});
