import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from '../../../lib/config';
import { ConsoleErrorCode, type ConsoleError } from '../../../lib/console-error';
import { csrfViolation, CSRF_HEADER } from '../../../lib/csrf';
import { postToGateway } from '../../../lib/gateway';
import { graphQLErrorBody } from '../../../lib/graphql-response';
import { graphQLRequestSchema, MAX_GRAPHQL_BODY_BYTES } from '../../../lib/graphql-request';
import { readFreshSession } from '../../../lib/session-store';

const NO_STORE = { 'cache-control': 'no-store' };

function refuse(status: number, error: ConsoleError): NextResponse {
  return NextResponse.json(graphQLErrorBody(error), { status, headers: NO_STORE });
}

/**
 * Same-origin GraphQL endpoint for the browser: the access token never leaves the server here;
 * it is taken from the sealed session cookie and attached as a bearer token towards the gateway.
 */
export async function POST(request: NextRequest): Promise<NextResponse> {
  const violation = csrfViolation(
    {
      contentType: request.headers.get('content-type'),
      csrfHeader: request.headers.get(CSRF_HEADER),
      origin: request.headers.get('origin'),
      expectedOrigin: new URL(getConfig().consoleUrl).origin,
    },
    true,
  );
  if (violation) return refuse(403, { code: 'CSRF_REJECTED', message: `Request refused: ${violation}.` });

  const declaredLength = Number(request.headers.get('content-length') ?? '0');
  if (declaredLength > MAX_GRAPHQL_BODY_BYTES) {
    return refuse(413, { code: 'PAYLOAD_TOO_LARGE', message: `GraphQL requests are limited to ${MAX_GRAPHQL_BODY_BYTES} bytes.` });
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_GRAPHQL_BODY_BYTES) {
    return refuse(413, { code: 'PAYLOAD_TOO_LARGE', message: `GraphQL requests are limited to ${MAX_GRAPHQL_BODY_BYTES} bytes.` });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse(400, { code: ConsoleErrorCode.badRequest, message: 'The request body is not valid JSON.' });
  }
  const parsed = graphQLRequestSchema.safeParse(json);
  if (!parsed.success) {
    return refuse(400, {
      code: ConsoleErrorCode.badRequest,
      message: 'Expected a JSON object with a "query" string and optional "variables" and "operationName".',
    });
  }

  const session = await readFreshSession();
  if (!session) return refuse(401, { code: ConsoleErrorCode.unauthenticated, message: 'Sign in to use the console.' });

  const reply = await postToGateway(parsed.data, session.accessToken);
  if (!reply) {
    return refuse(503, { code: ConsoleErrorCode.gatewayUnavailable, message: 'The Switchyard API is not reachable right now.' });
  }
  if (reply.body === undefined) {
    return refuse(502, { code: ConsoleErrorCode.badResponse, message: `The Switchyard API answered HTTP ${reply.status} without a GraphQL body.` });
  }
  return NextResponse.json(reply.body, { status: reply.status, headers: NO_STORE });
}
