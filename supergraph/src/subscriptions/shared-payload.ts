/**
 * Serialize once per shared result (issue 16): graphql-ws turns every `next` into
 * `JSON.stringify({ id, type: 'next', payload })` per subscriber, so 1,000 subscribers of one tenant
 * would serialize the same 5 KB cost summary 1,000 times. Instead, `onNext` hands graphql-ws a tiny
 * stand-in payload (`{"$shared":"<n>"}`) and the socket's `send` splices the result's JSON, made
 * once per result object, in its place: the message is byte for byte what graphql-ws would have sent.
 */
export const STAND_IN_KEY = '$shared';

export type StandIn = { readonly [STAND_IN_KEY]: string };

export interface SharedPayloads {
  /** The stand-in to return from graphql-ws's `onNext` for this socket; serializes `result` on first use. */
  standIn(socket: object, result: object): StandIn;
  /** An outgoing message with its stand-in (if any) replaced by the serialized result. */
  splice(socket: object, data: string): string;
  /** How many results were serialized (for tests and the benchmark). */
  serializations(): number;
}

export function createSharedPayloads(): SharedPayloads {
  /** A result's JSON, kept as long as the result object lives (the group's latest answer). */
  const serialized = new WeakMap<object, string>();
  /** Per socket: stand-in token → JSON waiting for its send; dropped with the socket. */
  const pending = new WeakMap<object, Map<string, string>>();
  let nextToken = 0;
  let serializations = 0;

  return {
    standIn(socket, result) {
      let json = serialized.get(result);
      if (json === undefined) {
        json = JSON.stringify(result);
        serialized.set(result, json);
        serializations += 1;
      }
      const token = String(nextToken++);
      const waiting = pending.get(socket) ?? new Map<string, string>();
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
      return `${data.slice(0, start)}${json}}`;
    },
    serializations: () => serializations,
  };
}
