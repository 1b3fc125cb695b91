import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getConfig } from './config';
import { loginPath } from './return-to';
import { ensureFreshSession } from './session-refresh';
import {
  nowInSeconds,
  SESSION_COOKIE,
  sealSession,
  sessionCookieOptions,
  sessionIsExpired,
  unsealSession,
  type Session,
} from './session';

/** The session from the request cookie as is (server components cannot write cookies). */
export async function readSession(): Promise<Session | undefined> {
  const store = await cookies();
  return unsealSession(store.get(SESSION_COOKIE)?.value, getConfig().sessionSecret);
}

/**
 * For pages: the signed-in session, or a redirect to sign-in. The proxy has already refreshed the
 * token before rendering, so an expired token here means the refresh failed.
 */
export async function requireSession(returnTo: string): Promise<Session> {
  const session = await readSession();
  if (!session || sessionIsExpired(session, nowInSeconds())) redirect(loginPath(returnTo));
  return session;
}

/** For route handlers: refreshes the token when close to expiry and stores the result. */
export async function readFreshSession(): Promise<Session | undefined> {
  const fresh = await ensureFreshSession(await readSession());
  if (fresh.status === 'signed-out') return undefined;
  if (fresh.status === 'refreshed') await writeSession(fresh.session);
  return fresh.session;
}

export async function writeSession(session: Session): Promise<void> {
  const config = getConfig();
  const store = await cookies();
  store.set(SESSION_COOKIE, await sealSession(session, config.sessionSecret), sessionCookieOptions(config.secureCookies));
}

export async function clearSession(): Promise<void> {
  const store = await cookies();
  store.delete({ name: SESSION_COOKIE, path: '/' });
}
