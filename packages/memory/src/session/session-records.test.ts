import { describe, expect, it } from 'vitest';
import { parseStoredResponse, trimWindow, turnBytes } from './session-records';
import { storedResponse } from './session-window.contract';

const turn = (content: string) => ({ role: 'user' as const, content });

describe('trimWindow', () => {
  it('keeps the newest turns within the turn limit, oldest first', () => {
    expect(trimWindow([turn('a'), turn('b'), turn('c')], { maxTurns: 2, maxWindowBytes: 1_000 })).toEqual([turn('b'), turn('c')]);
  });

  it('keeps the newest turns within the byte limit', () => {
    const size = turnBytes(turn('aaaa'));
    expect(trimWindow([turn('aaaa'), turn('bbbb'), turn('cccc')], { maxTurns: 10, maxWindowBytes: 2 * size })).toEqual([turn('bbbb'), turn('cccc')]);
    expect(trimWindow([turn('aaaa'), turn('bbbb')], { maxTurns: 10, maxWindowBytes: 2 * size - 1 })).toEqual([turn('bbbb')]);
  });

  it('never drops the newest turn, however long', () => {
    expect(trimWindow([turn('a'), turn('x'.repeat(100))], { maxTurns: 10, maxWindowBytes: 10 })).toEqual([turn('x'.repeat(100))]);
  });

  it('counts bytes as UTF-8', () => {
    expect(turnBytes(turn('é'))).toBe(turnBytes(turn('e')) + 1);
  });
});

describe('parseStoredResponse', () => {
  it('reads back what was stored, from JSON text or a value', () => {
    const response = storedResponse();
    expect(parseStoredResponse(JSON.stringify(response))).toEqual(response);
    expect(parseStoredResponse(response)).toEqual(response);
  });

  it('treats corrupt or foreign data as a miss', () => {
    expect(parseStoredResponse('{not json')).toBeNull();
    expect(parseStoredResponse(JSON.stringify({ id: 'x' }))).toBeNull();
    expect(parseStoredResponse(null)).toBeNull();
  });
});
