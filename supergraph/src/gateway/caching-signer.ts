import type { InternalTokenSigner, Principal } from '@switchyard/identity';

export interface CachingSignerOptions {
  /** Lifetime of each signed token. Default 60 s (the signer's default). */
  ttlSeconds?: number;
  /** Reuse a token for at most this long, so every token handed out has at least ttl − reuse left. Default 30 s. */
  reuseMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/**
 * Reuses a signed internal token for the same caller and audience for a while: a busy console
 * session makes many subgraph calls per second and each would otherwise cost a signature.
 */
export function createCachingSigner(signer: InternalTokenSigner, options: CachingSignerOptions = {}): InternalTokenSigner {
  const ttlSeconds = options.ttlSeconds ?? 60;
  const reuseMs = Math.min(options.reuseMs ?? 30_000, ttlSeconds * 500);
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { token: Promise<string>; until: number }>();

  const keyOf = (principal: Principal, audience: string) =>
    JSON.stringify([audience, principal.subject, principal.email, principal.tenantId, [...principal.roles].sort(), principal.service]);

  return {
    sign(principal, audience, ttl) {
      // A caller asking for a specific lifetime gets a fresh token.
      if (ttl !== undefined && ttl !== ttlSeconds) return signer.sign(principal, audience, ttl);
      const key = keyOf(principal, audience);
      const cached = cache.get(key);
      if (cached && cached.until > now()) return cached.token;
      if (cache.size >= maxEntries) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      const token = signer.sign(principal, audience, ttlSeconds);
      cache.delete(key);
      cache.set(key, { token, until: now() + reuseMs });
      token.catch(() => cache.delete(key));
      return token;
    },
  };
}
