import { describe, expect, it } from 'vitest';
import type { InProcessGraphQLRequest, InProcessSubgraph } from '@switchyard/subgraph-kit/in-process';
import { createInProcessFetcher } from './in-process-fetcher';
import { FetchError } from './subgraph-fetcher';

const URL = 'http://127.0.0.1:4001/graphql';

describe('in-process subgraph fetcher', () => {
  it('hands the request over as sent and answers with the subgraph’s status, headers and body', async () => {
    const seen: InProcessGraphQLRequest[] = [];
    const subgraph: InProcessSubgraph = {
      execute: (request) => {
        seen.push(request);
        return Promise.resolve({ status: 401, headers: new Map([['content-type', 'application/json; charset=utf-8']]), body: '{"errors":[{"message":"no"}]}' });
      },
    };
    const response = await createInProcessFetcher(subgraph)(URL, { method: 'POST', headers: { authorization: 'Bearer t', traceparent: '00-a-b-01' }, body: '{"query":"{ x }"}' });
    expect(seen).toEqual([{ headers: { authorization: 'Bearer t', traceparent: '00-a-b-01' }, body: '{"query":"{ x }"}' }]);
    expect([response.ok, response.status, response.statusText, response.url]).toEqual([false, 401, 'Unauthorized', URL]);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ errors: [{ message: 'no' }] });
  });

  it('fails as a network error (SUBGRAPH_UNAVAILABLE) when the subgraph throws', async () => {
    const broken: InProcessSubgraph = { execute: () => Promise.reject(new Error('stopped')) };
    const failure = await createInProcessFetcher(broken)(URL, { body: '{}' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FetchError);
    expect((failure as FetchError).message).toBe(`request to ${URL} failed: stopped`);
  });

  it('refuses an answer past the byte bound as the HTTP client does, counting UTF-8 bytes', async () => {
    const answering = (body: string): InProcessSubgraph => ({ execute: () => Promise.resolve({ status: 200, headers: new Map(), body }) });
    // 4 characters of 3 bytes each: 12 bytes.
    const failure = await createInProcessFetcher(answering('€€€€'), 11)(URL, { body: '{}' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FetchError);
    expect((failure as FetchError).message).toBe(`request to ${URL} failed: subgraph response larger than 11 bytes`);
    expect(await (await createInProcessFetcher(answering('€€€€'), 12)(URL, { body: '{}' })).text()).toBe('€€€€');
  });
});
