import { z } from 'zod';
import { seal, unseal } from './seal';

/** What the console remembers about a signed-in user, sealed into an httpOnly cookie. */
export const sessionSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** Access-token expiry, epoch seconds. */
  expiresAt: z.number().int().nonnegative(),
  email: z.string(),
  subject: z.string(),
});
export type Session = z.infer<typeof sessionSchema>;

/** The PKCE verifier, state and destination of one sign-in attempt, sealed into a short-lived cookie. */
export const loginStateSchema = z.object({
  state: z.string().min(1),
  codeVerifier: z.string().min(43).max(128),
  returnTo: z.string(),
});
export type LoginState = z.infer<typeof loginStateSchema>;

export const SESSION_COOKIE = 'sy_session';
export const LOGIN_STATE_COOKIE = 'sy_login';
/** The cookie outlives the access token: the refresh token keeps the session going. */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
export const LOGIN_STATE_MAX_AGE_SECONDS = 10 * 60;
/** Refresh this long before the access token expires, so a token never dies mid-request. */
export const REFRESH_LEEWAY_SECONDS = 60;

const SESSION_PURPOSE = 'session';
const LOGIN_STATE_PURPOSE = 'login-state';

export function sealSession(session: Session, secret: string): Promise<string> {
  return seal(session, secret, SESSION_PURPOSE);
}

export async function unsealSession(sealed: string | undefined, secret: string): Promise<Session | undefined> {
  if (!sealed) return undefined;
  const parsed = sessionSchema.safeParse(await unseal(sealed, secret, SESSION_PURPOSE));
  return parsed.success ? parsed.data : undefined;
}

export function sealLoginState(state: LoginState, secret: string): Promise<string> {
  return seal(state, secret, LOGIN_STATE_PURPOSE);
}

export async function unsealLoginState(sealed: string | undefined, secret: string): Promise<LoginState | undefined> {
  if (!sealed) return undefined;
  const parsed = loginStateSchema.safeParse(await unseal(sealed, secret, LOGIN_STATE_PURPOSE));
  return parsed.success ? parsed.data : undefined;
}

export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function sessionNeedsRefresh(session: Session, now: number, leeway = REFRESH_LEEWAY_SECONDS): boolean {
  return session.expiresAt - now <= leeway;
}

export function sessionIsExpired(session: Session, now: number): boolean {
  return session.expiresAt <= now;
}

export interface CookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: string;
  maxAge: number;
}

export function sessionCookieOptions(secure: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: SESSION_MAX_AGE_SECONDS };
}

export function loginStateCookieOptions(secure: boolean): CookieOptions {
  // Lax (not Strict): the IdP's redirect back to /auth/callback is a cross-site top-level navigation.
  return { httpOnly: true, sameSite: 'lax', secure, path: '/auth', maxAge: LOGIN_STATE_MAX_AGE_SECONDS };
}
