import type { IncomingMessage } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { readJsonBody } from './read-json-body';

const JSON_TYPE = { 'content-type': 'application/json' };

function requestOf(chunks: readonly string[], headers: Record<string, string> = JSON_TYPE): IncomingMessage {
  return Object.assign(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), { headers }) as unknown as IncomingMessage;
}

async function codeOf(reading: Promise<unknown>): Promise<string> {
  const error: unknown = await reading.then(() => undefined, (failure: unknown) => failure);
  return error instanceof ApiError ? error.code : String(error);
}

describe('readJsonBody', () => {
  it.each([
    ['a declared length', (length: number): Record<string, string> => ({ ...JSON_TYPE, 'content-length': String(length) })],
    ['no length (chunked)', (): Record<string, string> => JSON_TYPE],
  ])('parses a body with %s in one chunk or in several (a multi-byte character split between them)', async (_, headersFor) => {
    const whole = '{"model":"m","n":1}';
    await expect(readJsonBody(requestOf([whole], headersFor(whole.length)), 1000)).resolves.toEqual({ model: 'm', n: 1 });
    const euro = Buffer.from('{"text":"€"}');
    const split = Object.assign(Readable.from([euro.subarray(0, 10), euro.subarray(10)]), { headers: headersFor(euro.length) }) as unknown as IncomingMessage;
    await expect(readJsonBody(split, 1000)).resolves.toEqual({ text: '€' });
    await expect(readJsonBody(requestOf(['{"a":', '[1,', '2]}'], headersFor(12)), 1000)).resolves.toEqual({ a: [1, 2] });
  });

  it('refuses a body past the limit while it streams, whatever Content-Length said', async () => {
    const request = requestOf(['{"a":"', 'x'.repeat(60), '"}']);
    expect(await codeOf(readJsonBody(request, 50))).toBe('request_too_large');
    expect(request.destroyed).toBe(true);
    expect(await codeOf(readJsonBody(requestOf(['{}'], { ...JSON_TYPE, 'content-length': '51' }), 50))).toBe('request_too_large');
  });

  it('refuses a wrong media type, an empty body and malformed JSON with their codes', async () => {
    expect(await codeOf(readJsonBody(requestOf(['{}'], { 'content-type': 'text/plain' }), 100))).toBe('unsupported_media_type');
    expect(await codeOf(readJsonBody(requestOf([]), 100))).toBe('invalid_json');
    expect(await codeOf(readJsonBody(requestOf(['  ']), 100))).toBe('invalid_json');
    expect(await codeOf(readJsonBody(requestOf(['{"a":']), 100))).toBe('invalid_json');
  });

  it.each([
    ['a declared length', { ...JSON_TYPE, 'content-length': '20' }],
    ['no length (chunked)', JSON_TYPE],
  ])('fails, rather than waiting forever, when the client of a body with %s goes away mid-body or before it is read', async (_, headers) => {
    const cut = Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough;
    const reading = readJsonBody(cut, 1000);
    cut.write('{"a":');
    await new Promise((resolve) => setImmediate(resolve));
    cut.destroy();
    await expect(reading).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    const gone = Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough;
    gone.destroy();
    await expect(readJsonBody(gone, 1000)).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });
});
