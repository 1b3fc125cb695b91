import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from '../../../../lib/config';
import { csrfViolation, CSRF_HEADER } from '../../../../lib/csrf';
import { readFreshSession } from '../../../../lib/session-store';

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Hands the (refreshed if needed) access token to the console's own scripts so the browser can open
 * the graphql-ws connection straight to the gateway. The custom header keeps other sites from using it.
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  const violation = csrfViolation(
    {
      contentType: null,
      csrfHeader: request.headers.get(CSRF_HEADER),
      origin: request.headers.get('origin'),
      expectedOrigin: new URL(getConfig().consoleUrl).origin,
    },
    false,
  );
  if (violation) {
    return NextResponse.json({ error: { code: 'CSRF_REJECTED', message: `Request refused: ${violation}.` } }, { status: 403, headers: NO_STORE });
  }
  const session = await readFreshSession();
  if (!session) {
    return NextResponse.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in to use the console.' } }, { status: 401, headers: NO_STORE });
  }
  return NextResponse.json({ accessToken: session.accessToken, expiresAt: session.expiresAt }, { headers: NO_STORE });
}
