import { tenantOf, type ConfigOp } from './config-delta';

/**
 * Who may write what (pure). A tenant's configuration has one writer, its home region; the
 * platform's (the price book) has one writer region, set by configuration. A receiver enforces it
 * against what *it* knows of the tenant, not against what the delta claims, so a validly signed
 * region cannot take over another region's tenant by saying it is home now. The only hand-over is
 * the home itself publishing the tenant with its new home (a move).
 */
export type ConfigRefusal = 'not_home' | 'not_platform_writer' | 'pinned';

/** What the receiver knows of a tenant before the op (absent: it does not know the tenant). */
export interface KnownTenant {
  home: string | null;
  pinned: boolean;
}

export interface AuthorityContext {
  /** The region that signed the delta. */
  source: string;
  /** The region that writes the platform's configuration; undefined: none is accepted from peers. */
  platformWriter: string | undefined;
  known(tenantId: string): KnownTenant | undefined;
}

export function authorizeConfigOp(op: ConfigOp, context: AuthorityContext): 'ok' | ConfigRefusal {
  if (op.op === 'price_book.upsert') return context.platformWriter !== undefined && context.platformWriter === context.source ? 'ok' : 'not_platform_writer';
  if (op.op === 'tenant.upsert') {
    const known = context.known(op.tenant.id);
    // A tenant new here may only come from the region it names as home.
    return (known ? known.home : op.tenant.homeRegion) === context.source ? 'ok' : 'not_home';
  }
  const known = context.known(tenantOf(op) ?? '');
  if (op.op === 'tenant.delete' && !known) return 'ok'; // nothing to delete: a harmless no-op
  if (!known || known.home !== context.source) return 'not_home';
  // A pinned tenant is never served elsewhere: only what identifies it (its row, its keys' hashes,
  // so another region can answer a clear 503 region_not_allowed) is kept outside its home.
  if (known.pinned && (op.op === 'policy_version.upsert' || op.op === 'route.upsert')) return 'pinned';
  return 'ok';
}
