import { STATUS_CODES } from 'node:http';
import type { InProcessSubgraph } from '@switchyard/subgraph-kit/in-process';
import { DEFAULT_MAX_RESPONSE_BYTES, FetchError, SubgraphResponse, type Fetcher, type FetcherRequestInit, type FetcherResponse } from './subgraph-fetcher';

/**
 * The gateway's client for a subgraph served by this same process (`npm start`): the request the
 * HTTP client would send (internal token, trace context, JSON body) handed to the subgraph's
 * in-process entrance, which handles it as its HTTP server would. Saves the socket round trip and
 * both HTTP parsers, which cost about as much CPU as the subgraph's own work on small operations.
 */
export function createInProcessFetcher(subgraph: InProcessSubgraph, maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES): Fetcher {
  return async (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> => {
    if (init.signal?.aborted) throw new FetchError(`request to ${url} failed: aborted`, 'ABORT_ERR');
    // Apollo's data source sends a string; a Buffer would be its UTF-8 bytes.
    const body = typeof init.body === 'string' ? init.body : (init.body?.toString('utf8') ?? '');
    const response = await subgraph.execute({ headers: init.headers ?? {}, body }).catch((error: unknown) => {
      // Named as a network failure, so the error formatter answers SUBGRAPH_UNAVAILABLE as for HTTP.
      throw new FetchError(`request to ${url} failed: ${error instanceof Error ? error.message : String(error)}`, undefined);
    });
    // The HTTP client's bound, so an oversized answer fails the same way (SUBGRAPH_UNAVAILABLE) in process.
    // (A UTF-16 unit is at most 3 UTF-8 bytes: most answers need no count.)
    if (response.body.length * 3 > maxResponseBytes && Buffer.byteLength(response.body) > maxResponseBytes) throw new FetchError(`request to ${url} failed: subgraph response larger than ${maxResponseBytes} bytes`, undefined);
    const headers = new Headers();
    for (const [name, value] of response.headers) headers.append(name, value);
    return new SubgraphResponse(url, response.status, STATUS_CODES[response.status] ?? '', headers, response.body);
  };
}
