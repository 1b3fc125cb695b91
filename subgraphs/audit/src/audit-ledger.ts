import type { KeyObject } from 'node:crypto';
import { auditLeafBytes, CURRENT_AUDIT_LEAF_VERSION, LeafHashTree, type Checkpoint } from '@switchyard/ledger';
import { chainHashOfLeaf, leafHash, payloadDigest, signCheckpoint, nodeSha256 } from '@switchyard/ledger/node';
import { auditEventSchema, type AuditEventInput } from '@switchyard/events/audit';
import { AuditError } from './audit-error';
import type { AppendedEntry, AuditDraft, AuditStore, StoredAuditEntry } from './audit-store';
import type { CheckpointAnchor } from './anchor';
import { describeCheckpointKey, type CheckpointPublicKey } from './checkpoint-key';
import { decryptPayload, encryptPayload, generateDataKey, unwrapDataKey, wrapDataKey } from './payload-crypto';
import { DEFAULT_RETENTION, expiryCutoffs, type RetentionPolicy } from './retention';
import { entryMacFunction, entryMacOf } from './entry-mac';
import { sharedPayloadKeyId, subjectKeyOf, subjectPayloadKeyId } from './subject-key';

export interface AuditKeys {
  /** 32 bytes; wraps every payload key. */
  masterKey: Uint8Array;
  /** Key of the subject-id HMAC. */
  subjectHmacKey: Uint8Array;
  /** Ed25519 key pair signing checkpoints. */
  signingKey: KeyObject;
  publicKey: KeyObject;
}

export interface AuditLedgerDeps {
  store: AuditStore;
  keys: AuditKeys;
  /** Where checkpoints go (include `databaseAnchor(store)` so `verify` sees them). */
  anchors: readonly CheckpointAnchor[];
  logId?: string;
  /** Checkpoint once this many entries were appended since the last one (default 1000). */
  checkpointEvery?: number;
  /** Also checkpoint this often when the log grew (default 60 s; 0 = no timer). */
  checkpointIntervalMs?: number;
  retention?: RetentionPolicy;
  now?: () => Date;
  /** Called after entries were appended by this process (e.g. to publish a live-update hint). */
  onAppended?: (entries: readonly StoredAuditEntry[]) => void;
  onError?: (error: unknown, during: string) => void;
}

export type PayloadState = 'AVAILABLE' | 'EXPIRED' | 'ERASED';

export interface ReadableAuditEntry extends StoredAuditEntry {
  payloadState: PayloadState;
  /** Decrypted JSON text, or null when expired or erased. */
  payload: string | null;
}

export interface InclusionProofResult {
  seq: number;
  treeSize: number;
  leafHash: string;
  rootHash: string;
  path: string[];
}

export interface ConsistencyProofResult {
  oldSize: number;
  newSize: number;
  oldRootHash: string;
  newRootHash: string;
  path: string[];
}

export interface AuditLedger {
  readonly logId: string;
  readonly store: AuditStore;
  /** The key that verifies this ledger's checkpoints (published with every checkpoint). */
  readonly checkpointKey: CheckpointPublicKey;
  append(event: AuditEventInput): Promise<AppendedEntry>;
  /** One transaction, one lock: the fast path for batches from the stream. */
  appendMany(events: readonly AuditEventInput[]): Promise<AppendedEntry[]>;
  /** Signs and publishes a tree head over the whole log; null when nothing was appended since the last one. */
  checkpoint(): Promise<Checkpoint | null>;
  inclusionProof(seq: number, treeSize?: number): Promise<InclusionProofResult>;
  consistencyProof(oldSize: number, newSize?: number): Promise<ConsistencyProofResult>;
  /** Decrypts payloads (those still readable). */
  readable(entries: readonly StoredAuditEntry[]): Promise<ReadableAuditEntry[]>;
  subjectKey(subjectId: string): string;
  exportSubject(subjectId: string): Promise<ReadableAuditEntry[]>;
  /** Crypto-shreds the subject's payload key; entries, hashes and proofs stay. */
  eraseSubject(subjectId: string): Promise<{ subjectKey: string; keyDeleted: boolean; entries: number }>;
  /** Drops payloads past their classification's TTL; returns how many. */
  expirePayloads(now?: Date): Promise<number>;
  close(): Promise<void>;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const LEAF_SYNC_CHUNK = 50_000;

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new AuditError('BAD_USER_INPUT', `${name} must be an integer ≥ ${min}.`, name);
}

export function createAuditLedger(deps: AuditLedgerDeps): AuditLedger {
  const { store, keys } = deps;
  const logId = deps.logId ?? 'switchyard-audit';
  const now = deps.now ?? (() => new Date());
  const checkpointEvery = deps.checkpointEvery ?? 1000;
  const retention = deps.retention ?? DEFAULT_RETENTION;
  const onError = deps.onError ?? (() => undefined);

  // Leaf hashes mirrored from the store (append-only, so a prefix never changes).
  const tree = new LeafHashTree(nodeSha256);
  let syncing: Promise<void> = Promise.resolve();
  let lastCheckpointSize: number | null = null;
  let checkpointing: Promise<Checkpoint | null> | null = null;
  const sharedDataKeys = new Map<string, Buffer>();
  const entryMac = entryMacFunction(keys.subjectHmacKey);

  function syncTree(): Promise<void> {
    syncing = syncing.then(async () => {
      for (;;) {
        const hashes = await store.leafHashes(tree.size, LEAF_SYNC_CHUNK);
        for (const value of hashes) tree.append(Buffer.from(value, 'hex'));
        if (hashes.length < LEAF_SYNC_CHUNK) return;
      }
    });
    return syncing;
  }

  /** `size` undefined means the log as it is now, so the mirror must catch up first. */
  async function treeOfAtLeast(size: number | undefined): Promise<void> {
    if (size === undefined || tree.size < size) await syncTree();
    if (size === undefined) return;
    if (tree.size < size) throw new AuditError('BAD_USER_INPUT', `The log holds ${tree.size} entries; tree size ${size} does not exist yet.`, 'treeSize');
  }

  async function draftsOf(events: readonly AuditEventInput[]): Promise<AuditDraft[]> {
    const parsed = events.map((event) => {
      const result = auditEventSchema.safeParse(event);
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new AuditError('BAD_USER_INPUT', `Invalid audit event: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), issue?.path.join('.'));
      }
      return result.data;
    });
    const withKeys = parsed.map((event) => {
      const subjectKey = event.subjectId === null ? null : subjectKeyOf(keys.subjectHmacKey, event.subjectId);
      return { event, subjectKey, payloadKeyId: subjectKey === null ? sharedPayloadKeyId(event.tenantId) : subjectPayloadKeyId(subjectKey) };
    });
    const missing = withKeys.map((item) => item.payloadKeyId).filter((keyId) => !sharedDataKeys.has(keyId));
    const wrapped = missing.length > 0 ? await store.ensurePayloadKeys(missing, (keyId) => wrapDataKey(keys.masterKey, keyId, generateDataKey())) : new Map<string, Uint8Array>();
    const dataKeys = new Map<string, Buffer>(sharedDataKeys);
    return withKeys.map(({ event, subjectKey, payloadKeyId }) => {
      let dataKey = dataKeys.get(payloadKeyId);
      if (!dataKey) {
        const wrappedKey = wrapped.get(payloadKeyId);
        if (!wrappedKey) throw new Error(`payload key ${payloadKeyId} is missing after creation`);
        dataKey = unwrapDataKey(keys.masterKey, payloadKeyId, wrappedKey);
        dataKeys.set(payloadKeyId, dataKey);
        // Shared (per-tenant) keys are never erased, so caching them is safe; subject keys are read
        // every time so an erasure in any process takes effect at once.
        if (subjectKey === null) sharedDataKeys.set(payloadKeyId, dataKey);
      }
      const ciphertext = encryptPayload(dataKey, event.idempotencyKey, JSON.stringify(event.payload));
      const fields = {
        leafVersion: CURRENT_AUDIT_LEAF_VERSION,
        idempotencyKey: event.idempotencyKey,
        // Normalised to what the database keeps (ms, UTC), so the hash survives the round trip.
        occurredAt: new Date(event.occurredAt ?? now()).toISOString(),
        tenantId: event.tenantId,
        actor: event.actor,
        action: event.action,
        subjectKey,
        dataClassification: event.dataClassification,
        payloadDigest: payloadDigest(ciphertext),
        payloadKeyId,
      };
      return { ...fields, payloadCiphertext: ciphertext, entryMac: entryMacOf(entryMac, fields) };
    });
  }

  async function checkpoint(): Promise<Checkpoint | null> {
    // One signing at a time per process; other processes are deduplicated by the tree size key.
    checkpointing ??= (async () => {
      try {
        await syncTree();
        lastCheckpointSize ??= (await store.latestCheckpoint())?.treeSize ?? 0;
        const size = tree.size;
        if (size === 0 || size <= lastCheckpointSize) return null;
        const signed = signCheckpoint({ logId, treeSize: size, rootHash: hex(tree.root(size)), issuedAt: now().toISOString() }, keys.signingKey);
        const log = { consistencyProof: (fromSize: number) => tree.consistencyProof(fromSize, size).map(hex) };
        for (const anchor of deps.anchors) await anchor.publish(signed, log);
        lastCheckpointSize = size;
        return signed;
      } finally {
        checkpointing = null;
      }
    })();
    return checkpointing;
  }

  /** `sizeAfterAppend` is known from the appended positions, so the common case costs no query. */
  async function maybeCheckpoint(sizeAfterAppend: number): Promise<void> {
    try {
      lastCheckpointSize ??= (await store.latestCheckpoint())?.treeSize ?? 0;
      if (sizeAfterAppend - lastCheckpointSize >= checkpointEvery) await checkpoint();
    } catch (error) {
      onError(error, 'checkpoint');
    }
  }

  const intervalMs = deps.checkpointIntervalMs ?? 60_000;
  const timer = intervalMs > 0 ? setInterval(() => void checkpoint().catch((error: unknown) => onError(error, 'checkpoint')), intervalMs) : null;
  timer?.unref();

  async function readable(entries: readonly StoredAuditEntry[]): Promise<ReadableAuditEntry[]> {
    const wrapped = await store.findPayloadKeys(entries.filter((entry) => entry.payloadCiphertext !== null).map((entry) => entry.payloadKeyId));
    // Entries of one subject (or the shared key) share a data key: unwrap each once per page.
    const dataKeys = new Map<string, Buffer>();
    return entries.map((entry) => {
      if (entry.payloadCiphertext === null) return { ...entry, payloadState: 'EXPIRED', payload: null };
      const wrappedKey = wrapped.get(entry.payloadKeyId);
      if (!wrappedKey) return { ...entry, payloadState: 'ERASED', payload: null };
      let dataKey = dataKeys.get(entry.payloadKeyId);
      if (!dataKey) dataKeys.set(entry.payloadKeyId, (dataKey = unwrapDataKey(keys.masterKey, entry.payloadKeyId, wrappedKey)));
      return { ...entry, payloadState: 'AVAILABLE', payload: decryptPayload(dataKey, entry.idempotencyKey, entry.payloadCiphertext) };
    });
  }

  const ledger: AuditLedger = {
    logId,
    store,
    checkpointKey: describeCheckpointKey(keys.publicKey),
    async append(event) {
      const [appended] = await ledger.appendMany([event]);
      if (!appended) throw new Error('append returned nothing');
      return appended;
    },

    async appendMany(events) {
      if (events.length === 0) return [];
      const drafts = await draftsOf(events);
      const appended = await store.appendBatch(drafts, (prevHash, seq, draft) => {
        const { payloadCiphertext: _ciphertext, entryMac: _mac, ...fields } = draft;
        const leaf = leafHash(auditLeafBytes({ ...fields, seq }));
        return { prevHash, entryHash: chainHashOfLeaf(prevHash, leaf), leafHash: hex(leaf) };
      });
      const created = appended.filter((item) => item.created).map((item) => item.entry);
      if (created.length > 0) {
        deps.onAppended?.(created);
        await maybeCheckpoint(Math.max(...created.map((entry) => entry.seq)) + 1);
      }
      return appended;
    },

    checkpoint,

    async inclusionProof(seq, treeSize) {
      assertCount('seq', seq, 0);
      if (treeSize !== undefined) assertCount('treeSize', treeSize, 1);
      await treeOfAtLeast(treeSize);
      const size = treeSize ?? tree.size;
      if (seq >= size) throw new AuditError('BAD_USER_INPUT', `seq ${seq} is not in a tree of size ${size}.`, 'seq');
      // Never serve a leaf the entry's stored fields do not hash to (an edited leaf_hash or entry):
      // the reader would otherwise "verify" a value that describes no stored entry.
      const leaf = hex(tree.leafHash(seq));
      const entry = await store.getEntry('platform', seq);
      if (!entry || hex(leafHash(auditLeafBytes(entry))) !== leaf || entry.leafHash !== leaf) {
        throw new Error(`audit entry ${seq} does not hash to its leaf: the log was altered; run npm run -s audit -- verify`);
      }
      return { seq, treeSize: size, leafHash: leaf, rootHash: hex(tree.root(size)), path: tree.inclusionProof(seq, size).map(hex) };
    },

    async consistencyProof(oldSize, newSize) {
      assertCount('oldSize', oldSize, 0);
      if (newSize !== undefined) assertCount('newSize', newSize, 0);
      await treeOfAtLeast(newSize === undefined ? undefined : Math.max(oldSize, newSize));
      const size = newSize ?? tree.size;
      if (oldSize > size) throw new AuditError('BAD_USER_INPUT', `oldSize ${oldSize} is larger than newSize ${size}.`, 'oldSize');
      return { oldSize, newSize: size, oldRootHash: hex(tree.root(oldSize)), newRootHash: hex(tree.root(size)), path: tree.consistencyProof(oldSize, size).map(hex) };
    },

    readable,

    subjectKey: (subjectId) => subjectKeyOf(keys.subjectHmacKey, subjectId),

    async exportSubject(subjectId) {
      return readable(await store.entriesOfSubject(subjectKeyOf(keys.subjectHmacKey, subjectId)));
    },

    async eraseSubject(subjectId) {
      const subjectKey = subjectKeyOf(keys.subjectHmacKey, subjectId);
      const keyDeleted = await store.deletePayloadKey(subjectPayloadKeyId(subjectKey));
      const entries = (await store.entriesOfSubject(subjectKey)).length;
      return { subjectKey, keyDeleted, entries };
    },

    async expirePayloads(at = now()) {
      let cleared = 0;
      for (const { classification, before } of expiryCutoffs(retention, at)) cleared += await store.clearPayloads(classification, before);
      return cleared;
    },

    async close() {
      if (timer) clearInterval(timer);
      await syncing.catch(() => undefined);
      await checkpointing?.catch(() => undefined);
    },
  };
  return ledger;
}
