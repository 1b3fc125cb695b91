import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { ApiError } from '../errors';
import { bodyText } from './body-text';

/**
 * Reads a JSON body, refusing before buffering more than `maxBytes` (Content-Length is checked
 * first, then the running total, so a lying or absent length cannot make us buffer more).
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const contentType = request.headers['content-type'] ?? '';
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new ApiError('unsupported_media_type', {
      message: `Content-Type must be application/json, got ${mediaType ? `'${mediaType.slice(0, 100)}'` : 'none'}.`,
    });
  }
  const tooLarge = (): ApiError =>
    new ApiError('request_too_large', { message: `The request body exceeds ${maxBytes} bytes. Send fewer or shorter messages.` });
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();

  // A declared length bounds the body (the HTTP parser reads exactly that much): read it by events.
  // A chunked body is read by the iterator, whose early exit stops reading past the limit.
  const text = Number.isFinite(declared) ? await bodyText(request, declared, tooLarge, pauseReading) : await chunkedBodyText(request, maxBytes, tooLarge);
  if (text.trim() === '') throw new ApiError('invalid_json', { message: 'The request body is empty. Send a JSON object.' });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('invalid_json');
  }
}

async function chunkedBodyText(request: IncomingMessage, maxBytes: number, tooLarge: () => ApiError): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

// Past a declared length cannot happen (the parser frames the body by it); refused rather than trusted.
const pauseReading = (request: Readable): void => {
  request.pause();
};
