import type { Readable } from 'node:stream';

/**
 * A body read to its end as UTF-8 text, by 'data'/'end' listeners rather than `for await` (a
 * stream async iterator, an end-of-stream watcher and a promise per chunk on every request); a
 * one-chunk body is decoded as is. Past `maxBytes` the reading stops: `stop(body)` (pause or
 * destroy, the caller's choice) and the promise rejects with `overLimit()`. A body closed before its
 * end rejects as the stream iterator would (ERR_STREAM_PREMATURE_CLOSE). Used for a client's request
 * body and an upstream's whole answer.
 */
export function bodyText(body: Readable, maxBytes: number, overLimit: () => Error, stop: (body: Readable) => void): Promise<string> {
  // Already over before we listen (read elsewhere, or the other side went away meanwhile).
  if (body.readableEnded) return Promise.resolve('');
  if (body.destroyed) return Promise.reject(prematureClose());
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    const onData = (bytes: Buffer): void => {
      size += bytes.length;
      if (size > maxBytes) {
        finish();
        stop(body);
        reject(overLimit());
        return;
      }
      if (first === undefined) first = bytes;
      else (more ??= [first]).push(bytes);
    };
    const onEnd = (): void => {
      finish();
      resolve(more ? Buffer.concat(more, size).toString('utf8') : first === undefined ? '' : first.toString('utf8'));
    };
    const onError = (error: Error): void => {
      finish();
      reject(error);
    };
    const onClose = (): void => {
      finish();
      reject(prematureClose());
    };
    const finish = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}

const prematureClose = (): Error => Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
