/**
 * Same-origin API calls carry this header. A cross-site form or `fetch` without CORS preflight
 * cannot set it, so its presence (plus a JSON content type) proves the call came from the console.
 */
export const CSRF_HEADER = 'x-switchyard-csrf';
export const CSRF_HEADER_VALUE = '1';

export interface CsrfCheckInput {
  contentType: string | null;
  csrfHeader: string | null;
  origin: string | null;
  expectedOrigin: string;
}

/** Returns why a state-changing or token-revealing request must be refused, or `undefined`. */
export function csrfViolation(input: CsrfCheckInput, requireJsonBody: boolean): string | undefined {
  if (input.csrfHeader !== CSRF_HEADER_VALUE) return `missing the ${CSRF_HEADER}: ${CSRF_HEADER_VALUE} header`;
  if (input.origin !== null && input.origin !== input.expectedOrigin) return 'cross-origin request';
  if (requireJsonBody) {
    const mediaType = input.contentType?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') return 'content-type must be application/json';
  }
  return undefined;
}
