import type { ServerResponse } from 'node:http';

export interface HeldLastByte {
  /** Sends what `end()` was called with (if it was), and lets later calls through. Idempotent. */
  release(): void;
}

/**
 * Holds a response's `end()` until `release()`: everything written before goes out as usual (a
 * stream's chunks), only the closing bytes (a buffered body, a stream's `[DONE]`) wait. The chat
 * path uses it to put a request's usage event on the stream before the client can have the whole
 * answer, so an answer a client received is billed even if the replica dies right after
 * (chat-completions-handler.ts). `end()` is wrapped rather than threaded through every wire
 * format's encoder because each calls it in its own place, and billing must not depend on each
 * remembering to wait.
 */
export function holdLastByte(response: ServerResponse): HeldLastByte {
  const end = response.end;
  let held: Parameters<ServerResponse['end']> | undefined;
  let released = false;
  response.end = function heldEnd(this: ServerResponse, ...args: Parameters<ServerResponse['end']>) {
    if (released) return end.apply(this, args);
    held = args;
    return this;
  } as ServerResponse['end'];
  return {
    release() {
      if (released) return;
      released = true;
      response.end = end;
      if (held) end.apply(response, held);
    },
  };
}
