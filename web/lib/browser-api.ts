import { ConsoleErrorCode, type Outcome } from './console-error';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from './csrf';
import { interpretGraphQLResponse } from './graphql-response';
import type { Operation } from './operations';
import { loginPath } from './return-to';

/** Runs a console operation from the browser through the same-origin `/api/graphql` handler. */
export async function callConsoleApi<TData, TVariables>(
  operation: Operation<TData, TVariables>,
  variables: TVariables,
): Promise<Outcome<TData>> {
  let response: Response;
  try {
    response = await fetch('/api/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CSRF_HEADER]: CSRF_HEADER_VALUE },
      body: JSON.stringify({ query: operation.document, variables, operationName: operation.name }),
      credentials: 'same-origin',
    });
  } catch {
    return { ok: false, error: { code: ConsoleErrorCode.gatewayUnavailable, message: 'The console server is not reachable.' } };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.status === 401) {
    // The session is gone (expired, or signed out in another tab): sign in again and come back.
    window.location.assign(loginPath(`${window.location.pathname}${window.location.search}`));
  }
  return interpretGraphQLResponse(response.status, body, operation.data);
}

export async function fetchAccessToken(): Promise<string> {
  const response = await fetch('/api/session/token', {
    headers: { [CSRF_HEADER]: CSRF_HEADER_VALUE },
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(`session token unavailable (HTTP ${response.status})`);
  const body = (await response.json()) as { accessToken?: unknown };
  if (typeof body.accessToken !== 'string') throw new Error('session token response is malformed');
  return body.accessToken;
}
