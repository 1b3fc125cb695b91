// Many graphql-ws subscribers in one benchmark process: a bare client of the protocol over `ws`
// (graphql-ws's own client keeps retry state and timers per socket, too heavy for 10,000), each
// holding one `costUpdated` subscription, and the clock from an event to every subscriber's frame.
import WebSocket from 'ws';

/** The console's live cost subscription (persisted operation ConsoleCostUpdated). */
export interface SubscriberSpec {
  url: string;
  /** `Bearer …` */
  authorization: string;
  tenantId: string;
  query: string;
  operationName: string;
  variables: Record<string, unknown>;
  /**
   * Reads the value an event raises (e.g. totalRequests) from a frame's raw text: 10,000 sockets
   * on the harness's one core cannot afford a JSON.parse of every 5 KB frame.
   */
  valueOf: (frame: string) => number | undefined;
}

export interface Subscriber {
  tenantId: string;
  /** The value of the last frame. */
  value: number;
  /** Called with each frame's value and arrival time. */
  onFrame: ((value: number, at: number) => void) | undefined;
  /** Frames with errors, and the socket closing unexpectedly. */
  failures: string[];
  close(): void;
}

/** Opens a socket, authenticates, subscribes; resolves at the first frame (the current state). */
export function openSubscriber(spec: SubscriberSpec, timeoutMs = 60_000): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(spec.url, 'graphql-transport-ws', { perMessageDeflate: false });
    let closing = false;
    let settled = false;
    const subscriber: Subscriber = {
      tenantId: spec.tenantId,
      value: Number.NaN,
      onFrame: undefined,
      failures: [],
      close() {
        closing = true;
        socket.close(1000);
      },
    };
    const fail = (reason: string) => {
      if (settled) {
        subscriber.failures.push(reason);
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.terminate();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail('no first frame in time'), timeoutMs);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: spec.authorization } })));
    socket.on('message', (raw: Buffer) => {
      const at = performance.now();
      const text = raw.toString('utf8');
      if (text.startsWith('{"id":"1","type":"next"') && !text.includes('"errors"')) {
        const value = spec.valueOf(text);
        if (value === undefined) return fail(`frame without a value: ${text.slice(0, 300)}`);
        subscriber.value = value;
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(subscriber);
        }
        subscriber.onFrame?.(value, at);
        return;
      }
      const message = JSON.parse(text) as { type: string; payload?: { data?: unknown; errors?: unknown } };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: spec.query, operationName: spec.operationName, variables: spec.variables } }));
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'next') {
        // A frame with errors (e.g. SUBGRAPH_UNAVAILABLE while the subgraphs are saturated).
        fail(`error frame: ${text.slice(0, 300)}`);
      } else if (message.type === 'error' || message.type === 'complete') {
        fail(`${message.type}: ${JSON.stringify(message.payload ?? null).slice(0, 300)}`);
      }
    });
    socket.on('close', (code: number, reason: Buffer) => {
      if (!closing) fail(`socket closed ${code} ${reason.toString()}`);
    });
    socket.on('error', (error: Error) => fail(`socket error ${error.message}`));
  });
}

/**
 * Opens `specs` with at most `concurrency` handshakes in flight. A subscriber whose first frame is
 * an error is opened again after a pause, as the console retries (counted in `retries`).
 */
export async function openSubscribers(specs: readonly SubscriberSpec[], concurrency: number, retries = { count: 0, first: '' }): Promise<Subscriber[]> {
  const opened: Subscriber[] = new Array<Subscriber>(specs.length);
  let next = 0;
  const open = async (spec: SubscriberSpec, attempt = 0): Promise<Subscriber> => {
    try {
      return await openSubscriber(spec);
    } catch (error) {
      if (attempt >= 3) throw error;
      retries.count += 1;
      retries.first ||= String(error);
      await new Promise<void>((resolve) => setTimeout(resolve, 500));
      return open(spec, attempt + 1);
    }
  };
  const worker = async () => {
    while (next < specs.length) {
      const index = next;
      next += 1;
      opened[index] = await open(specs[index] as SubscriberSpec);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  } catch (error) {
    for (const subscriber of opened) subscriber?.close();
    throw error;
  }
  return opened;
}

/**
 * One round: `fire` raises the value of each tenant in `tenants` by one (its promise resolves at
 * the moment of each tenant's write, per tenant); resolves with the latency of every subscriber of
 * those tenants, from its tenant's write to its first frame carrying the raised value, and the
 * number of subscribers that saw none within `timeoutMs`.
 */
export async function measureRound(
  subscribersByTenant: ReadonlyMap<string, readonly Subscriber[]>,
  tenants: readonly string[],
  fire: (tenantId: string) => Promise<number>,
  timeoutMs = 5000,
): Promise<{ latencies: number[]; missed: number }> {
  const latencies: number[] = [];
  let pending = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const writtenAt = new Map<string, number>();
  const arrivals: Array<{ subscriber: Subscriber; tenantId: string; at: number }> = [];
  const watched: Subscriber[] = [];
  for (const tenantId of tenants) {
    for (const subscriber of subscribersByTenant.get(tenantId) ?? []) {
      const target = subscriber.value + 1;
      pending += 1;
      watched.push(subscriber);
      subscriber.onFrame = (value, at) => {
        if (value < target) return;
        subscriber.onFrame = undefined;
        arrivals.push({ subscriber, tenantId, at });
        pending -= 1;
        if (pending === 0) done();
      };
    }
  }
  await Promise.all(tenants.map(async (tenantId) => writtenAt.set(tenantId, await fire(tenantId))));
  const timer = setTimeout(done, timeoutMs);
  if (pending > 0) await finished;
  clearTimeout(timer);
  for (const subscriber of watched) subscriber.onFrame = undefined;
  for (const arrival of arrivals) latencies.push(arrival.at - (writtenAt.get(arrival.tenantId) as number));
  return { latencies, missed: pending };
}
