/**
 * Serialize and encode once per shared result (issue 16): graphql-ws turns every `next` into
 * `JSON.stringify({ id, type: 'next', payload })` per subscriber, so 1,000 subscribers of one tenant
 * would serialize the same 5 KB cost summary 1,000 times. Instead, `onNext` hands graphql-ws a tiny
 * stand-in payload (`{"$shared":"<n>"}`) and the socket's `send` splices the result in its place.
 * The result is kept as UTF-8 bytes, made once per result object, and the spliced message goes to
 * `ws` as a Buffer (sent as a text frame): per socket only the short id prefix is encoded and the
 * bytes copied, where a string message made `ws` measure and encode all 5 KB again for every
 * socket (Buffer.byteLength, then the write's UTF-8 encode: a fifth of the gateway's CPU per frame).
 * The bytes are exactly the UTF-8 of the message graphql-ws would have sent.
 */
export const STAND_IN_KEY = '$shared';

export type StandIn = { readonly [STAND_IN_KEY]: string };

export interface SharedPayloads {
  /** The stand-in to return from graphql-ws's `onNext` for this socket; serializes `result` on first use. */
  standIn(socket: object, result: object): StandIn;
  /**
   * An outgoing message with its stand-in (if any) replaced by the serialized result, as UTF-8
   * bytes (to send as a text frame); any other message is returned as it is.
   */
  splice(socket: object, data: string): string | Buffer;
  /** How many results were serialized (for tests and the benchmark). */
  serializations(): number;
}

/** What follows the payload in graphql-ws's `next` message: the object's closing brace. */
const MESSAGE_END = Buffer.from('}');

export function createSharedPayloads(): SharedPayloads {
  /** A result's JSON as UTF-8, kept as long as the result object lives (the group's latest answer). */
  const serialized = new WeakMap<object, Buffer>();
  /** Per socket: stand-in token → JSON bytes waiting for their send; dropped with the socket. */
  const pending = new WeakMap<object, Map<string, Buffer>>();
  let nextToken = 0;
  let serializations = 0;

  return {
    standIn(socket, result) {
      let json = serialized.get(result);
      if (json === undefined) {
        json = Buffer.from(JSON.stringify(result), 'utf8');
        serialized.set(result, json);
        serializations += 1;
      }
      const token = String(nextToken++);
      const waiting = pending.get(socket) ?? new Map<string, Buffer>();
      pending.set(socket, waiting);
      waiting.set(token, json);
      return { [STAND_IN_KEY]: token };
    },
    splice(socket, data) {
      const waiting = pending.get(socket);
      // graphql-ws writes the payload last: `{"id":…,"type":"next","payload":{"$shared":"<n>"}}`.
      if (!waiting || waiting.size === 0 || !data.endsWith('"}}')) return data;
      const start = data.lastIndexOf(`{"${STAND_IN_KEY}":"`);
      if (start < 0) return data;
      const token = data.slice(start + STAND_IN_KEY.length + 5, -3);
      const json = waiting.get(token);
      if (json === undefined) return data;
      waiting.delete(token);
      return Buffer.concat([Buffer.from(data.slice(0, start), 'utf8'), json, MESSAGE_END]);
    },
    serializations: () => serializations,
  };
}
