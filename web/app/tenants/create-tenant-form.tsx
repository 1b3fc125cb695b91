'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callConsoleApi } from '../../lib/browser-api';
import { createTenantMutation } from '../../lib/operations';
import { firstProblem, tenantInputSchema } from '../../lib/tenant-input';
import styles from './tenants.module.css';

export function CreateTenantForm() {
  const router = useRouter();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    const input = firstProblem(tenantInputSchema.safeParse({ slug, name }));
    if (!input.ok) {
      setError(input.message);
      return;
    }
    setPending(true);
    setError(null);
    const result = await callConsoleApi(createTenantMutation, { input: input.value });
    setPending(false);
    if (!result.ok) {
      setError(
        result.error.code === 'CONFLICT' ? `A tenant with slug “${input.value.slug}” already exists.` : result.error.message,
      );
      return;
    }
    setSlug('');
    setName('');
    setCreated(result.data.createTenant.slug);
    router.refresh();
  }

  return (
    <form className={styles.form} onSubmit={(event) => void submit(event)} noValidate>
      <label className="label">
        Slug
        <input
          className="input"
          name="slug"
          value={slug}
          onChange={(event) => setSlug(event.target.value)}
          placeholder="acme-prod"
          autoComplete="off"
          spellCheck={false}
          data-testid="create-tenant-slug"
        />
      </label>
      <p className={styles.hint}>Lower-case letters, digits and dashes; 2–40 characters. Cannot be changed later.</p>
      <label className="label">
        Name
        <input
          className="input"
          name="name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="Acme production"
          autoComplete="off"
          data-testid="create-tenant-name"
        />
      </label>
      <div>
        <button className="button" type="submit" disabled={pending} data-testid="create-tenant-submit">
          {pending ? 'Creating…' : 'Create tenant'}
        </button>
      </div>
      {error ? (
        <div className="alert" role="alert" data-testid="form-error">
          {error}
        </div>
      ) : null}
      {created ? (
        <p className={styles.hint} role="status">
          Created <a href={`/tenants/${encodeURIComponent(created)}`}>{created}</a>.
        </p>
      ) : null}
    </form>
  );
}
