import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Collected {
  results: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }[];
  done: Promise<void>;
  /** Resolves once `predicate` holds for the results (checked on every new result). */
  until(predicate: (results: Collected['results']) => boolean): Promise<void>;
  stop(): void;
}

export function connect(url: string, token: string | undefined): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

/** Subscribes and collects every payload; tests wait for conditions, never for time. */
export function collect(client: Client, query: string, variables?: Record<string, unknown>): Collected {
  const results: Collected['results'] = [];
  const waiters = new Set<() => void>();
  let finished!: () => void;
  let failed!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  const stop = client.subscribe(
    { query, ...(variables ? { variables } : {}) },
    {
      next: (result) => {
        results.push(result as Collected['results'][number]);
        for (const waiter of [...waiters]) waiter();
      },
      error: (error) => failed(error),
      complete: () => finished(),
    },
  );
  return {
    results,
    done,
    stop,
    until: (predicate) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (predicate(results)) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        done.then(() => check(), reject);
        check();
      }),
  };
}
