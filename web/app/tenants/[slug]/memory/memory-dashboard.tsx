'use client';

import { useState } from 'react';
import { ConfirmDialog } from '../../../../components/confirm-dialog';
import { callConsoleApi } from '../../../../lib/browser-api';
import { formatTimestamp } from '../../../../lib/display';
import { describeSession, formatBytes, preview } from '../../../../lib/memory-format';
import {
  deleteMemoryCollectionMutation,
  deleteMemorySessionMutation,
  deleteVectorMemoryMutation,
  memoryCollectionsQuery,
  memorySessionQuery,
  memorySessionsQuery,
  SESSION_PAGE_SIZE,
  vectorMemoriesQuery,
  type MemoryCollection,
  type MemorySessionDetail,
  type MemorySessionPage,
  type MemoryTurn,
  type VectorMemoryEntry,
} from '../../../../lib/memory-operations';
import styles from './memory.module.css';

const MEMORY_PAGE_SIZE = 50;

/** What the one confirm dialog is asked about. */
type Pending = { kind: 'session'; id: string } | { kind: 'memory'; memory: VectorMemoryEntry } | { kind: 'collection'; collection: MemoryCollection };

function Turns({ turns, testId }: { turns: MemoryTurn[]; testId: string }) {
  if (turns.length === 0) return <p className="muted">No turns.</p>;
  return (
    <ol className={styles.turns} data-testid={testId}>
      {turns.map((turn, index) => (
        <li key={index} className={styles.turn}>
          <div className={styles.role}>
            {turn.role}
            {turn.toolCallNames.length > 0 ? ` · calls ${turn.toolCallNames.join(', ')}` : ''}
          </div>
          <div className={styles.content}>{turn.content}</div>
        </li>
      ))}
    </ol>
  );
}

/** Sessions (inspect, delete) and vector memories by collection (delete one, or the whole collection). */
export function MemoryDashboard(props: { tenantId: string; initialSessions: MemorySessionPage; initialCollections: MemoryCollection[] }) {
  const { tenantId } = props;
  const [sessions, setSessions] = useState(props.initialSessions);
  const [detail, setDetail] = useState<MemorySessionDetail | null>(null);
  const [collections, setCollections] = useState(props.initialCollections);
  const [collection, setCollection] = useState<string | null>(null);
  const [memories, setMemories] = useState<{ items: VectorMemoryEntry[]; nextCursor: string | null } | null>(null);
  const [confirming, setConfirming] = useState<Pending | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function reloadSessions() {
    const result = await callConsoleApi(memorySessionsQuery, { tenantId, first: SESSION_PAGE_SIZE });
    if (result.ok) setSessions(result.data.memorySessions);
    else setError(result.error.message);
  }

  async function moreSessions() {
    if (!sessions.nextCursor) return;
    const result = await callConsoleApi(memorySessionsQuery, { tenantId, first: SESSION_PAGE_SIZE, after: sessions.nextCursor });
    if (!result.ok) return setError(result.error.message);
    setSessions({ items: [...sessions.items, ...result.data.memorySessions.items], nextCursor: result.data.memorySessions.nextCursor });
  }

  async function inspect(id: string) {
    setError(null);
    const result = await callConsoleApi(memorySessionQuery, { tenantId, id });
    if (!result.ok) return setError(result.error.message);
    setDetail(result.data.memorySession);
  }

  async function openCollection(name: string, after?: string) {
    setError(null);
    const result = await callConsoleApi(vectorMemoriesQuery, { tenantId, collection: name, first: MEMORY_PAGE_SIZE, after: after ?? null });
    if (!result.ok) return setError(result.error.message);
    setCollection(name);
    const page = result.data.vectorMemories;
    setMemories(after && memories ? { items: [...memories.items, ...page.items], nextCursor: page.nextCursor } : page);
  }

  async function reloadCollections() {
    const result = await callConsoleApi(memoryCollectionsQuery, { tenantId });
    if (result.ok) setCollections(result.data.memoryCollections);
  }

  async function confirm() {
    if (!confirming) return;
    setPending(true);
    setError(null);
    let failure: string | null = null;
    if (confirming.kind === 'session') {
      const result = await callConsoleApi(deleteMemorySessionMutation, { tenantId, id: confirming.id });
      if (!result.ok) failure = result.error.message;
      else {
        if (detail?.session.id === confirming.id) setDetail(null);
        await reloadSessions();
      }
    } else if (confirming.kind === 'memory') {
      const result = await callConsoleApi(deleteVectorMemoryMutation, { tenantId, id: confirming.memory.id });
      if (!result.ok) failure = result.error.message;
      else {
        setMemories((current) => (current ? { ...current, items: current.items.filter((m) => m.id !== confirming.memory.id) } : current));
        await reloadCollections();
      }
    } else {
      const result = await callConsoleApi(deleteMemoryCollectionMutation, { tenantId, collection: confirming.collection.name });
      if (!result.ok) failure = result.error.message;
      else {
        if (collection === confirming.collection.name) {
          setCollection(null);
          setMemories(null);
        }
        await reloadCollections();
      }
    }
    setPending(false);
    setConfirming(null);
    if (failure) setError(failure);
  }

  return (
    <>
      {error ? (
        <div className="alert" role="alert" data-testid="memory-error">
          {error}
        </div>
      ) : null}
      <div className={styles.grid}>
        <section className="card" aria-label="Sessions">
          <div className="cardHeader">
            <h2>Sessions</h2>
          </div>
          {sessions.items.length === 0 ? (
            <p className="muted" data-testid="memory-sessions-empty">
              No sessions. Conversations appear here when a client stores responses (`store: true`) or a route keeps recent turns.
            </p>
          ) : (
            <div className="tableWrap">
              <table className="table" data-testid="memory-session-table">
                <thead>
                  <tr>
                    <th>Session</th>
                    <th className="numeric">Size</th>
                    <th>Updated</th>
                    <th>Expires</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {sessions.items.map((session) => (
                    <tr key={session.id} data-testid="memory-session-row" data-session={session.id}>
                      <td>
                        <span className="mono">{preview(session.id, 40)}</span>
                        <div className="muted">{describeSession(session)}</div>
                      </td>
                      <td className="numeric">{formatBytes(session.bytes)}</td>
                      <td>{formatTimestamp(session.updatedAt)}</td>
                      <td>{formatTimestamp(session.expiresAt)}</td>
                      <td>
                        <div className={styles.actions}>
                          <button type="button" className={styles.linkButton} onClick={() => void inspect(session.id)} data-testid="memory-session-inspect" aria-label={`Inspect session ${session.id}`}>
                            inspect
                          </button>
                          <button type="button" className={styles.dangerLink} onClick={() => setConfirming({ kind: 'session', id: session.id })} data-testid="memory-session-delete" aria-label={`Delete session ${session.id}`}>
                            delete
                          </button>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {sessions.nextCursor ? (
            <button type="button" className="button buttonSecondary" onClick={() => void moreSessions()} data-testid="memory-sessions-more" style={{ marginTop: 12 }}>
              More sessions
            </button>
          ) : null}
        </section>

        <section className="card" aria-label="Session detail" data-testid="memory-session-detail">
          <div className="cardHeader">
            <h2 className={styles.sessionTitle}>{detail ? <span className="mono">{preview(detail.session.id, 40)}</span> : 'Session'}</h2>
          </div>
          {detail ? (
            <>
              <p className="muted">
                {describeSession(detail.session)} · {formatBytes(detail.session.bytes)} · expires {formatTimestamp(detail.session.expiresAt)}
              </p>
              <h3>Window</h3>
              <Turns turns={detail.turns} testId="memory-session-turns" />
              <h3>Stored responses</h3>
              {detail.responses.length === 0 ? (
                <p className="muted">None.</p>
              ) : (
                <ul className={styles.turns} data-testid="memory-session-responses">
                  {detail.responses.map((response) => (
                    <li key={response.id} className={styles.turn}>
                      <div className={styles.role}>
                        <span className="mono">{response.id}</span> · {response.model} · {response.status} · {response.inputTokens}+{response.outputTokens} tokens · {formatTimestamp(response.createdAt)}
                      </div>
                      <Turns turns={response.input} testId="memory-response-input" />
                      <div className={styles.content}>{response.outputText}</div>
                    </li>
                  ))}
                </ul>
              )}
            </>
          ) : (
            <p className="muted">Inspect a session to see its turns and stored responses.</p>
          )}
        </section>
      </div>

      <section className="card" aria-label="Vector memories" style={{ marginTop: 16 }}>
        <div className="cardHeader">
          <h2>Vector memories</h2>
        </div>
        {collections.length === 0 ? (
          <p className="muted" data-testid="memory-collections-empty">
            No collections. Clients add memories with POST /v1/memories.
          </p>
        ) : (
          <div className="tableWrap">
            <table className="table" data-testid="memory-collection-table">
              <thead>
                <tr>
                  <th>Collection</th>
                  <th className="numeric">Memories</th>
                  <th>Embedding</th>
                  <th>Last added</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {collections.map((c) => (
                  <tr key={c.name} data-testid="memory-collection-row" data-collection={c.name} aria-selected={collection === c.name}>
                    <td className="mono">{c.name}</td>
                    <td className="numeric">{c.memories}</td>
                    <td>
                      {c.embeddingModel} <span className="muted">· {c.dimensions} dimensions</span>
                    </td>
                    <td>{formatTimestamp(c.lastAddedAt)}</td>
                    <td>
                      <div className={styles.actions}>
                        <button type="button" className={styles.linkButton} onClick={() => void openCollection(c.name)} data-testid="memory-collection-open" aria-label={`Show the memories of ${c.name}`}>
                          show
                        </button>
                        <button type="button" className={styles.dangerLink} onClick={() => setConfirming({ kind: 'collection', collection: c })} data-testid="memory-collection-delete" aria-label={`Delete collection ${c.name}`}>
                          delete
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {collection && memories ? (
          <div style={{ marginTop: 16 }}>
            <h3>
              Memories of <span className="mono">{collection}</span>
            </h3>
            {memories.items.length === 0 ? (
              <p className="muted">None left.</p>
            ) : (
              <div className="tableWrap">
                <table className="table" data-testid="memory-table">
                  <thead>
                    <tr>
                      <th>Text</th>
                      <th>Subject</th>
                      <th>Added</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {memories.items.map((memory) => (
                      <tr key={memory.id} data-testid="memory-row" data-memory={memory.id}>
                        <td title={memory.text}>{preview(memory.text)}</td>
                        <td className="mono">{memory.subject ?? '—'}</td>
                        <td>{formatTimestamp(memory.createdAt)}</td>
                        <td>
                          <button type="button" className={styles.dangerLink} onClick={() => setConfirming({ kind: 'memory', memory })} data-testid="memory-delete" aria-label={`Delete memory ${memory.id}`}>
                            delete
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {memories.nextCursor ? (
              <button type="button" className="button buttonSecondary" onClick={() => void openCollection(collection, memories.nextCursor ?? undefined)} style={{ marginTop: 12 }}>
                More memories
              </button>
            ) : null}
          </div>
        ) : null}
      </section>

      <ConfirmDialog
        open={confirming !== null}
        title={
          confirming?.kind === 'session'
            ? 'Delete this session?'
            : confirming?.kind === 'memory'
              ? 'Delete this memory?'
              : `Delete the collection “${confirming?.collection.name ?? ''}”?`
        }
        confirmLabel={pending ? 'Deleting…' : 'Delete'}
        pending={pending}
        onCancel={() => setConfirming(null)}
        onConfirm={() => void confirm()}
      >
        {confirming?.kind === 'session'
          ? 'Its window and every response stored under it are forgotten on every replica; a client continuing it with previous_response_id gets 404. The audit log records the deletion.'
          : confirming?.kind === 'memory'
            ? `“${preview(confirming.memory.text)}” is no longer recalled by any replica.`
            : `All ${confirming?.kind === 'collection' ? confirming.collection.memories : 0} memories of the collection go, on every replica.`}
      </ConfirmDialog>
    </>
  );
}
