'use client';

import { useState } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import type { ConsoleError } from '../../../../lib/console-error';
import { sendTestAlertMutation, type TestAlertResult } from '../../../../lib/secret-operations';
import { SecretActionError } from './secret-action-error';

/** Sends one signed test alert to the saved webhook and shows how it answered. */
export function TestAlertButton({ tenantId }: { tenantId: string }) {
  const [result, setResult] = useState<TestAlertResult | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [pending, setPending] = useState(false);

  async function send() {
    setPending(true);
    setError(null);
    setResult(null);
    const reply = await callConsoleApi(sendTestAlertMutation, { tenantId });
    setPending(false);
    if (reply.ok) setResult(reply.data.sendTestAlert);
    else setError(reply.error);
  }

  return (
    <div className="stack" style={{ gap: 6 }}>
      <div>
        <button type="button" className="button buttonSecondary" data-testid="webhook-test-send" disabled={pending} onClick={() => void send()}>
          {pending ? 'Sending…' : 'Send test alert'}
        </button>
      </div>
      {result ? (
        <p role="status" className={result.delivered ? 'muted' : 'warning'} data-testid="webhook-test-result" data-delivered={String(result.delivered)}>
          {result.delivered ? 'Test alert delivered' : 'Test alert not delivered'}: {result.outcome} (event id <code>{result.alertId}</code>)
        </p>
      ) : null}
      {error ? <SecretActionError error={error} testId="webhook-test-error" /> : null}
    </div>
  );
}
