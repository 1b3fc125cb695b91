import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from './lib/config';
import { loginPath } from './lib/return-to';
import { ensureFreshSession } from './lib/session-refresh';
import { SESSION_COOKIE, sealSession, sessionCookieOptions, unsealSession } from './lib/session';

/**
 * Runs before the console's pages render: signed-out visitors go to sign-in, and an access token
 * close to expiry is refreshed here, because server components may read cookies but not write them.
 * The refreshed cookie is written to the response and to the request the page will see.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const config = getConfig();
  const current = await unsealSession(request.cookies.get(SESSION_COOKIE)?.value, config.sessionSecret);
  const fresh = await ensureFreshSession(current);
  if (fresh.status === 'signed-out') {
    const target = new URL(loginPath(`${request.nextUrl.pathname}${request.nextUrl.search}`), config.consoleUrl);
    const response = NextResponse.redirect(target, 307);
    if (request.cookies.has(SESSION_COOKIE)) response.cookies.delete(SESSION_COOKIE);
    return response;
  }
  if (fresh.status === 'valid') return NextResponse.next();
  const sealed = await sealSession(fresh.session, config.sessionSecret);
  request.cookies.set(SESSION_COOKIE, sealed);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.cookies.set(SESSION_COOKIE, sealed, sessionCookieOptions(config.secureCookies));
  return response;
}

export const config = {
  matcher: ['/tenants', '/tenants/:path*'],
};
