import { z } from 'zod';
import type { Checkpoint } from '@switchyard/ledger';
import type { Principal } from '@switchyard/identity';
import { AuditError } from './audit-error';
import type { CheckpointPublicKey } from './checkpoint-key';
import type { AuditLedger, ConsistencyProofResult, InclusionProofResult, ReadableAuditEntry } from './audit-ledger';
import type { AuditEntryFilter, ReadScope } from './audit-store';
import { auditReadScope } from './authorization';
import { badUserInput, forbidden, notFound } from './errors';
import { parseInput } from './parse-input';

export interface AuditEntryPage {
  entries: ReadableAuditEntry[];
  hasNextPage: boolean;
}

/** A checkpoint with the public key that verifies its signature. */
export type PublishedCheckpoint = Checkpoint & CheckpointPublicKey;

/** Authorization and input validation in front of the ledger, for the GraphQL API. */
export interface AuditService {
  listEntries(principal: Principal, filter: AuditEntryFilter | null | undefined, first: number, after: string | null | undefined, newestFirst?: boolean | null): Promise<AuditEntryPage>;
  entry(principal: Principal, seq: number): Promise<ReadableAuditEntry | null>;
  latestEntry(principal: Principal, tenantId: string): Promise<ReadableAuditEntry | null>;
  latestCheckpoint(principal: Principal): Promise<PublishedCheckpoint | null>;
  inclusionProof(principal: Principal, seq: number, treeSize: number | null | undefined): Promise<InclusionProofResult>;
  consistencyProof(principal: Principal, oldSize: number, newSize: number | null | undefined): Promise<ConsistencyProofResult>;
}

export const MAX_PAGE_SIZE = 500;
const CURSOR_PREFIX = 'audit-seq:';

export function encodeCursor(seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(seq) || seq < 0) throw badUserInput('Invalid after: not a cursor from this API.', 'after');
  return seq;
}

const filterSchema = z
  .object({
    actor: z.string().min(1).max(200).optional(),
    action: z.string().min(1).max(100).optional(),
    subjectKey: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex characters').optional(),
    tenantId: z.uuid('must be a tenant id (UUID)').optional(),
  })
  .strict();
const firstSchema = z.number().int().min(1).max(MAX_PAGE_SIZE);
const countSchema = z.number().int().min(0);

function requireScope(principal: Principal): ReadScope {
  const scope = auditReadScope(principal);
  if (!scope) throw forbidden('Reading the audit log needs the tenant_admin or platform_admin role.');
  return scope;
}

function rethrow(error: unknown): never {
  if (error instanceof AuditError) throw error.code === 'NOT_FOUND' ? notFound(error.message) : badUserInput(error.message, error.field ?? 'input');
  throw error;
}

/** Drops null fields (GraphQL input) so the filter only has what the caller asked for. */
function withoutNulls(filter: AuditEntryFilter | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(filter ?? {}).filter((entry): entry is [string, string] => entry[1] !== null && entry[1] !== undefined));
}

export function createAuditService(ledger: AuditLedger): AuditService {
  const { store } = ledger;
  return {
    async listEntries(principal, rawFilter, rawFirst, after, newestFirst) {
      const scope = requireScope(principal);
      const filter = parseInput(filterSchema, withoutNulls(rawFilter), 'filter');
      const first = parseInput(firstSchema, rawFirst, 'first');
      if (scope !== 'platform' && filter.tenantId !== undefined && filter.tenantId !== scope.tenantId) {
        throw forbidden("You may only read your own tenant's audit entries.");
      }
      const afterSeq = after ? decodeCursor(after) : -1;
      const rows = await store.listEntries(scope, filter, afterSeq, first + 1, newestFirst === true);
      return { entries: await ledger.readable(rows.slice(0, first)), hasNextPage: rows.length > first };
    },

    async entry(principal, seq) {
      const scope = requireScope(principal);
      const row = await store.getEntry(scope, parseInput(countSchema, seq, 'seq'));
      return row ? ((await ledger.readable([row]))[0] ?? null) : null;
    },

    async latestEntry(principal, tenantId) {
      const scope = requireScope(principal);
      const validTenantId = parseInput(z.uuid('must be a tenant id (UUID)'), tenantId, 'tenantId');
      if (scope !== 'platform' && scope.tenantId !== validTenantId) throw forbidden("You may only read your own tenant's audit entries.");
      const row = await store.latestEntry(scope === 'platform' ? { tenantId: validTenantId } : scope);
      return row ? ((await ledger.readable([row]))[0] ?? null) : null;
    },

    async latestCheckpoint(principal) {
      requireScope(principal);
      const checkpoint = await store.latestCheckpoint();
      // Checkpoints are signed by this ledger's key; publishing it lets a browser check the signature.
      return checkpoint ? { ...checkpoint, ...ledger.checkpointKey } : null;
    },

    async inclusionProof(principal, seq, treeSize) {
      const scope = requireScope(principal);
      const validSeq = parseInput(countSchema, seq, 'seq');
      // A tenant may prove only its own entries (others' leaf hashes are not its business).
      if (scope !== 'platform' && !(await store.getEntry(scope, validSeq))) throw notFound(`No audit entry ${validSeq} of your tenant.`);
      return ledger.inclusionProof(validSeq, treeSize ?? undefined).catch(rethrow);
    },

    async consistencyProof(principal, oldSize, newSize) {
      requireScope(principal);
      return ledger.consistencyProof(parseInput(countSchema, oldSize, 'oldSize'), newSize ?? undefined).catch(rethrow);
    },
  };
}
