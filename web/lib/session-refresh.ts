import { refreshTokens } from './oidc';
import { nowInSeconds, sessionIsExpired, sessionNeedsRefresh, type Session } from './session';

export type FreshSession =
  | { status: 'valid'; session: Session }
  | { status: 'refreshed'; session: Session }
  | { status: 'signed-out' };

/** How long a completed refresh is remembered for requests still carrying the old cookie. */
const REMEMBER_REFRESH_MS = 60_000;

interface InFlight {
  result: Promise<Session>;
  settledAt?: number;
}

// Issuers rotate refresh tokens and treat reuse of a rotated one as theft (revoking the grant).
// Parallel requests carrying the same cookie must therefore share ONE refresh. The map lives on
// globalThis because Next bundles the proxy and the route handlers as separate module instances.
const IN_FLIGHT_KEY = Symbol.for('switchyard.console.refreshInFlight');
function inFlightRefreshes(): Map<string, InFlight> {
  const holder = globalThis as { [IN_FLIGHT_KEY]?: Map<string, InFlight> };
  holder[IN_FLIGHT_KEY] ??= new Map();
  return holder[IN_FLIGHT_KEY];
}

function sharedRefresh(session: Session & { refreshToken: string }): Promise<Session> {
  const inFlight = inFlightRefreshes();
  const now = Date.now();
  for (const [token, entry] of inFlight) {
    if (entry.settledAt !== undefined && now - entry.settledAt > REMEMBER_REFRESH_MS) inFlight.delete(token);
  }
  const existing = inFlight.get(session.refreshToken);
  if (existing) return existing.result;
  const entry: InFlight = { result: refreshTokens(session) };
  inFlight.set(session.refreshToken, entry);
  entry.result.then(
    () => {
      entry.settledAt = Date.now();
    },
    () => {
      // A failed refresh may be retried by the next request (e.g. the issuer was briefly down).
      inFlight.delete(session.refreshToken);
    },
  );
  return entry.result;
}

/** Returns a session whose access token is good for at least the refresh leeway, refreshing if needed. */
export async function ensureFreshSession(session: Session | undefined): Promise<FreshSession> {
  if (!session) return { status: 'signed-out' };
  const now = nowInSeconds();
  if (!sessionNeedsRefresh(session, now)) return { status: 'valid', session };
  const { refreshToken } = session;
  if (refreshToken) {
    try {
      return { status: 'refreshed', session: await sharedRefresh({ ...session, refreshToken }) };
    } catch {
      // Fall through: a still-valid token keeps working until it expires; otherwise sign in again.
    }
  }
  return sessionIsExpired(session, now) ? { status: 'signed-out' } : { status: 'valid', session };
}
