import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors';

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
  const text = Number.isFinite(declared) ? await declaredBodyText(request, declared, tooLarge) : await chunkedBodyText(request, maxBytes, tooLarge);
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

/**
 * A body of a declared length (at most the limit), by 'data'/'end' listeners rather than
 * `for await` (a stream async iterator, an end-of-stream watcher and a promise per chunk on every
 * request); a one-chunk body is decoded as is.
 */
function declaredBodyText(request: IncomingMessage, declared: number, tooLarge: () => ApiError): Promise<string> {
  // Already over before we listen (read elsewhere, or the client went away while it was authenticated).
  if (request.readableEnded) return Promise.resolve('');
  if (request.destroyed) return Promise.reject(prematureClose());
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > declared) {
        // Cannot happen (the parser frames the body by its length); refused rather than trusted.
        finish();
        request.pause();
        reject(tooLarge());
        return;
      }
      if (first === undefined) first = chunk;
      else (more ??= [first]).push(chunk);
    };
    const onEnd = (): void => {
      finish();
      if (more) resolve(Buffer.concat(more, total).toString('utf8'));
      else resolve(first === undefined ? '' : first.toString('utf8'));
    };
    const onError = (error: Error): void => {
      finish();
      reject(error);
    };
    const onClose = (): void => {
      // Closed before its end (the client went away): the failure the stream iterator reports.
      finish();
      reject(prematureClose());
    };
    const finish = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}

const prematureClose = (): Error => Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
