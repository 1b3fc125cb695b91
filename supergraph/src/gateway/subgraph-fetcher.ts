import { Agent, request } from 'node:http';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

/** Apollo's fetcher contract (`@apollo/utils.fetcher`), named through the gateway that takes it. */
export type Fetcher = RemoteGraphQLDataSource['fetcher'];
export type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
export type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/**
 * The gateway's HTTP client for subgraph calls. Apollo's default (make-fetch-happen over
 * minipass-fetch, with its cache, retry and proxy layers) cost about 4 % of the admin plane's CPU
 * in a profile of `npm start`; subgraphs are plain HTTP on loopback or a private network, so this
 * is node's http client with keep-alive and nothing else. Responses are read whole (a subgraph's
 * answer is the gateway's to merge anyway), bounded by `maxResponseBytes`.
 */
export interface SubgraphFetcherOptions {
  /** Largest subgraph response accepted (default 64 MiB); larger ones fail the fetch. */
  maxResponseBytes?: number;
  /** Idle keep-alive sockets kept per subgraph (default 64). */
  maxFreeSockets?: number;
}

export interface SubgraphFetcher {
  fetcher: Fetcher;
  close(): void;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const IDLE_SOCKET_TIMEOUT_MS = 4_000;

/** A subgraph call that failed at the network level: named as Apollo's default client names it, so the error formatter answers SUBGRAPH_UNAVAILABLE. */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const asFetchError = (url: string, error: unknown): FetchError =>
  new FetchError(`request to ${url} failed: ${error instanceof Error ? error.message : String(error)}`, (error as { code?: string } | null)?.code);

/** A subgraph's answer, read whole. */
export class SubgraphResponse implements FetcherResponse {
  readonly bodyUsed = false;
  readonly redirected = false;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    /** A string when the answer never was bytes (in process). */
    private readonly body: Buffer | string,
  ) {}
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  text(): Promise<string> {
    return Promise.resolve(typeof this.body === 'string' ? this.body : this.body.toString('utf8'));
  }
  json(): Promise<unknown> {
    return this.text().then((text) => JSON.parse(text) as unknown);
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = typeof this.body === 'string' ? Buffer.from(this.body, 'utf8') : this.body;
    return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }
  clone(): FetcherResponse {
    return new SubgraphResponse(this.url, this.status, this.statusText, new Headers(this.headers), this.body);
  }
}

/** Whether a subgraph request is a query (safe to send twice): the gateway's operation text, read only on the rare retry path. */
function readsOnly(body: string | Buffer): boolean {
  try {
    const query = (JSON.parse(body.toString()) as { query?: unknown }).query;
    return typeof query === 'string' && /^\s*(?:query\b|\{)/.test(query);
  } catch {
    return false;
  }
}

export function createSubgraphFetcher(options: SubgraphFetcherOptions = {}): SubgraphFetcher {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  // An idle socket is closed after 4 s, before a subgraph's (node's default 5 s keep-alive timeout)
  // would close it under a request; the retry below covers the rest of that race.
  const agent = new Agent({ keepAlive: true, maxFreeSockets: options.maxFreeSockets ?? 64, timeout: IDLE_SOCKET_TIMEOUT_MS });

  const fetcher: Fetcher = (url: string, init: FetcherRequestInit = {}) => send(url, init, true);

  const send = (url: string, init: FetcherRequestInit, retryStaleSocket: boolean): Promise<FetcherResponse> =>
    new Promise<FetcherResponse>((resolve, fail) => {
      const reject = (error: unknown) => fail(asFetchError(url, error));
      const body = init.body ?? '';
      let answered = false;
      const call = request(
        url,
        { method: init.method ?? 'GET', agent, headers: { ...init.headers, 'content-length': String(Buffer.byteLength(body)) }, signal: init.signal as AbortSignal | undefined },
        (response) => {
          answered = true;
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxResponseBytes) {
              response.destroy(new Error(`subgraph response larger than ${maxResponseBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', reject);
          response.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (value === undefined) continue;
              for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
            }
            resolve(new SubgraphResponse(url, response.statusCode ?? 0, response.statusMessage ?? '', headers, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
          });
        },
      );
      call.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the subgraph closed while idle (its keep-alive timeout and ours race)
        // fails with ECONNRESET before the request was read: sent again once on another socket, as
        // node's http docs advise (`request.reusedSocket`). Only a query: a reset does not prove the
        // subgraph never read the request, and a mutation must not run twice. Any other failure is the caller's.
        if (retryStaleSocket && !answered && call.reusedSocket && error.code === 'ECONNRESET' && readsOnly(body)) send(url, init, false).then(resolve, fail);
        else reject(error);
      });
      call.end(body);
    });

  return { fetcher, close: () => agent.destroy() };
}
