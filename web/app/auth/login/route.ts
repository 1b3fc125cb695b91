import { cookies } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from '../../../lib/config';
import { startLogin } from '../../../lib/oidc';
import { sanitizeReturnTo } from '../../../lib/return-to';
import { LOGIN_STATE_COOKIE, loginStateCookieOptions, sealLoginState } from '../../../lib/session';

/** Starts authorization code + PKCE: remembers verifier and state in a sealed cookie, then redirects to the issuer. */
export async function GET(request: NextRequest): Promise<NextResponse> {
  const config = getConfig();
  const returnTo = sanitizeReturnTo(request.nextUrl.searchParams.get('returnTo'));
  let login: Awaited<ReturnType<typeof startLogin>>;
  try {
    login = await startLogin(returnTo);
  } catch (error) {
    console.error('[switchyard console] OIDC discovery failed:', error instanceof Error ? error.message : error);
    return NextResponse.redirect(new URL('/?error=issuer_unavailable', config.consoleUrl), 303);
  }
  const store = await cookies();
  store.set(
    LOGIN_STATE_COOKIE,
    await sealLoginState(login.loginState, config.sessionSecret),
    loginStateCookieOptions(config.secureCookies),
  );
  return NextResponse.redirect(login.authorizationUrl, 303);
}
