import { cookies } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from '../../../lib/config';
import { completeLogin } from '../../../lib/oidc';
import { sanitizeReturnTo } from '../../../lib/return-to';
import { writeSession } from '../../../lib/session-store';
import { LOGIN_STATE_COOKIE, unsealLoginState } from '../../../lib/session';
import type { SignInErrorCode } from '../../../lib/sign-in-errors';

/** Completes sign-in: checks state, exchanges the code with the PKCE verifier, stores the session. */
export async function GET(request: NextRequest): Promise<NextResponse> {
  const config = getConfig();
  const store = await cookies();
  const fail = (code: SignInErrorCode) => {
    store.delete({ name: LOGIN_STATE_COOKIE, path: '/auth' });
    return NextResponse.redirect(new URL(`/?error=${code}`, config.consoleUrl), 303);
  };
  const query = request.nextUrl.searchParams;
  if (query.has('error')) return fail(query.get('error') === 'access_denied' ? 'access_denied' : 'sign_in_failed');
  const loginState = await unsealLoginState(store.get(LOGIN_STATE_COOKIE)?.value, config.sessionSecret);
  if (!loginState) return fail('login_expired');
  try {
    await writeSession(await completeLogin(query, loginState));
  } catch (error) {
    console.error('[switchyard console] sign-in failed:', error instanceof Error ? error.message : error);
    return fail('sign_in_failed');
  }
  store.delete({ name: LOGIN_STATE_COOKIE, path: '/auth' });
  return NextResponse.redirect(new URL(sanitizeReturnTo(loginState.returnTo), config.consoleUrl), 303);
}
