/**
 * Where to send the user after sign-in. Only same-origin absolute paths are accepted, so the
 * `returnTo` parameter cannot be turned into an open redirect (`//evil.example`, `/\evil`, `https://…`).
 */
export const DEFAULT_RETURN_TO = '/tenants';

export function sanitizeReturnTo(candidate: string | null | undefined): string {
  if (!candidate || candidate.length > 512) return DEFAULT_RETURN_TO;
  if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return DEFAULT_RETURN_TO;
  // Control characters and backslashes are never part of a console path and some browsers normalise them.
  if ([...candidate].some((char) => char === '\\' || char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
    return DEFAULT_RETURN_TO;
  }
  if (candidate.startsWith('/auth/') || candidate.startsWith('/api/')) return DEFAULT_RETURN_TO;
  return candidate;
}

export function loginPath(returnTo: string): string {
  return `/auth/login?returnTo=${encodeURIComponent(sanitizeReturnTo(returnTo))}`;
}
