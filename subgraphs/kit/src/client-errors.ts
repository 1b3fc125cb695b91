import type http from 'node:http';
import { answerClientErrors, type ClientErrorKind } from '@switchyard/http-edge/client-error';

/** The registry codes of what the HTTP parser refuses below GraphQL (KIT_ERRORS and GATEWAY_ERRORS both define them). */
export const CLIENT_ERROR_CODES = {
  header_too_large: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  timeout: 'REQUEST_TIMEOUT',
  malformed: 'BAD_REQUEST',
} as const satisfies Record<ClientErrorKind, string>;

type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[ClientErrorKind];

/** A malformed request is not a malformed body: the registries' BAD_REQUEST message is about the body. */
const MALFORMED_MESSAGE = 'The HTTP request is malformed (request line, header syntax or message framing); the connection is closed.';

/**
 * What Node's HTTP parser refuses (431 oversized headers, 408 slow headers, 400 malformed request
 * line or framing) answered as a GraphQL error response, `{"errors":[{"message","extensions":{"code"}}]}`,
 * with `Connection: close`, instead of Node's empty body. `definitions` is the server's registry
 * (the kit's for subgraphs, the gateway's for the gateway), so codes and messages are the documented ones.
 */
export function answerGraphQLClientErrors(server: http.Server, definitions: Record<ClientErrorCode, { readonly message: string }>): void {
  answerClientErrors(server, {
    render(kind) {
      const code = CLIENT_ERROR_CODES[kind];
      const message = kind === 'malformed' ? MALFORMED_MESSAGE : definitions[code].message;
      return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ errors: [{ message, extensions: { code } }] }) };
    },
  });
}
