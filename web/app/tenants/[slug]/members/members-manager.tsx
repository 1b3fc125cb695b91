'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { formatTimestamp } from '../../../../lib/display';
import {
  ASSIGNABLE_MEMBER_ROLES,
  addMemberMutation,
  changeMemberRoleMutation,
  removeMemberMutation,
  type AssignableMemberRole,
  type Member,
} from '../../../../lib/member-operations';

const isAssignable = (role: string): role is AssignableMemberRole => (ASSIGNABLE_MEMBER_ROLES as readonly string[]).includes(role);

/**
 * List, add, re-role and remove members; the API's errors (LAST_ADMIN, CONFLICT, UNKNOWN_EMAIL, …)
 * show inline. Members are added by e-mail (the API resolves it through the identity provider's
 * directory); the subject stays available for identity providers without one.
 */
export function MembersManager({ tenantId, members }: { tenantId: string; members: Member[] }) {
  const router = useRouter();
  const [subject, setSubject] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<AssignableMemberRole>('viewer');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function run(action: () => Promise<{ ok: true } | { ok: false; error: { message: string } }>): Promise<boolean> {
    setPending(true);
    setError(null);
    const result = await action();
    setPending(false);
    if (!result.ok) {
      setError(result.error.message);
      return false;
    }
    router.refresh();
    return true;
  }

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (email.trim() === '' && subject.trim() === '') {
      setError('Enter the member’s e-mail address.');
      return;
    }
    const input = { tenantId, subject: subject.trim() === '' ? null : subject.trim(), email: email.trim() === '' ? null : email.trim(), role };
    if (await run(() => callConsoleApi(addMemberMutation, { input }))) {
      setSubject('');
      setEmail('');
    }
  }

  return (
    <div className="stack">
      {error ? (
        <div className="alert" role="alert" data-testid="members-error">
          {error}
        </div>
      ) : null}
      <section className="card" aria-label="Members">
        <div className="cardHeader">
          <h2>Members</h2>
          <span className="muted">{members.length}</span>
        </div>
        <div className="tableWrap">
          <table className="table tableStickyFirst" data-testid="members-table">
            <thead>
              <tr>
                <th>E-mail</th>
                <th>Subject</th>
                <th>Role</th>
                <th>Added</th>
                <th>
                  <span className="visuallyHidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <tr key={member.id} data-testid="member-row">
                  <td data-testid="member-email">{member.email ?? '—'}</td>
                  <td className="muted" data-testid="member-subject">
                    {member.subject}
                  </td>
                  <td>
                    {isAssignable(member.role) ? (
                      <select
                        className="input"
                        aria-label={`Role of ${member.email ?? member.subject}`}
                        value={member.role}
                        disabled={pending}
                        data-testid="member-role"
                        onChange={(event) => {
                          const next = event.target.value;
                          if (isAssignable(next)) void run(() => callConsoleApi(changeMemberRoleMutation, { id: member.id, role: next }));
                        }}
                      >
                        {ASSIGNABLE_MEMBER_ROLES.map((option) => (
                          <option key={option} value={option}>
                            {option}
                          </option>
                        ))}
                      </select>
                    ) : (
                      member.role
                    )}
                  </td>
                  <td className="muted">{formatTimestamp(member.createdAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="button buttonDanger"
                      disabled={pending}
                      data-testid="member-remove"
                      onClick={() => void run(() => callConsoleApi(removeMemberMutation, { id: member.id }))}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-label="Add a member">
        <div className="cardHeader">
          <h2>Add a member</h2>
        </div>
        <form className="stack" style={{ gap: 10 }} onSubmit={(event) => void add(event)} noValidate>
          <label className="label">
            E-mail
            <input
              className="input"
              name="email"
              type="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              autoComplete="off"
              placeholder="name@company.com"
              data-testid="member-email-input"
            />
          </label>
          <details>
            <summary className="muted">Identity provider without a directory? Add by subject</summary>
            <label className="label" style={{ marginTop: 8 }}>
              Subject (the identity provider’s user id)
              <input className="input" name="subject" value={subject} onChange={(event) => setSubject(event.target.value)} autoComplete="off" data-testid="member-subject-input" />
            </label>
          </details>
          <label className="label">
            Role
            <select
              className="input"
              name="role"
              value={role}
              data-testid="member-role-input"
              onChange={(event) => {
                const next = event.target.value;
                if (isAssignable(next)) setRole(next);
              }}
            >
              {ASSIGNABLE_MEMBER_ROLES.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          </label>
          <div>
            <button className="button" type="submit" disabled={pending} data-testid="member-add-submit">
              {pending ? 'Saving…' : 'Add member'}
            </button>
          </div>
        </form>
      </section>
    </div>
  );
}
