import { describe, expect, it } from 'vitest';
import { createSharedPayloads } from './shared-payload';

/** What graphql-ws sends for a `next` (its stringifyMessage: id, type, payload in that order). */
const nextMessage = (id: string, payload: unknown) => JSON.stringify({ id, type: 'next', payload });
/** A spliced message as text (it is sent as UTF-8 bytes in a text frame). */
const text = (message: string | Buffer) => (typeof message === 'string' ? message : message.toString('utf8'));

describe('shared payloads', () => {
  it('sends byte for byte what graphql-ws would send, serializing one result once for every socket', () => {
    const payloads = createSharedPayloads();
    // Non-ASCII text, in the payload and in the id, must come out as the same UTF-8 bytes.
    const result = { data: { costUpdated: { tenantId: 't1', totalRequests: 3, series: [{ costUsd: 0.5, label: 'quote " and \\ and }} – €, 😀' }] } } };
    const sockets = Array.from({ length: 50 }, () => ({}));
    for (const [i, socket] of sockets.entries()) {
      // Client-chosen ids, including ones that look like the stand-in.
      const id = i === 0 ? '{"$shared":"0"}}' : i === 1 ? 'ünïcödé-€' : `sub-${i}`;
      const standIn = payloads.standIn(socket, result);
      const spliced = payloads.splice(socket, nextMessage(id, standIn));
      expect(Buffer.isBuffer(spliced)).toBe(true);
      expect(spliced).toEqual(Buffer.from(nextMessage(id, result), 'utf8'));
    }
    expect(payloads.serializations()).toBe(1);
    // A new result object (the next refresh) is serialized once more.
    const next = { data: { costUpdated: { tenantId: 't1', totalRequests: 4 } } };
    expect(text(payloads.splice(sockets[0] as object, nextMessage('a', payloads.standIn(sockets[0] as object, next))))).toBe(nextMessage('a', next));
    expect(payloads.serializations()).toBe(2);
  });

  it('leaves other messages alone, and never splices one socket’s payload into another’s message', () => {
    const payloads = createSharedPayloads();
    const mine = {};
    const other = {};
    const secret = { data: { costUpdated: { tenantId: 't1', totalRequests: 99 } } };
    const standIn = payloads.standIn(mine, secret);
    const forged = nextMessage('x', standIn);
    // The same stand-in text on another socket is not replaced (the token is this socket's).
    expect(payloads.splice(other, forged)).toBe(forged);
    const complete = JSON.stringify({ id: 'x', type: 'complete' });
    const error = JSON.stringify({ id: 'x', type: 'error', payload: [{ message: 'no' }] });
    expect(payloads.splice(mine, complete)).toBe(complete);
    expect(payloads.splice(mine, error)).toBe(error);
    expect(text(payloads.splice(mine, forged))).toBe(nextMessage('x', secret));
    // Each stand-in is spliced once: a replay of its text is sent as it is.
    expect(payloads.splice(mine, forged)).toBe(forged);
  });
});
