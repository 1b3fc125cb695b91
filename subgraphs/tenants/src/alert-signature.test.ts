import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAlert, verifyAlertSignature } from './alert-signature';

const body = JSON.stringify({ id: 'a1', type: 'dp.budget.threshold_crossed' });

describe('alert signatures', () => {
  it('is HMAC-SHA256 over "<t>.<body>", as documented for receivers', () => {
    const header = signAlert('whsec-0123456789abcdef', body, 1_800_000_000);
    const mac = createHmac('sha256', 'whsec-0123456789abcdef').update(`1800000000.${body}`).digest('hex');
    expect(header).toBe(`t=1800000000,v1=${mac}`);
  });

  it('verifies its own signature and refuses a changed body, another secret, an old timestamp, junk', () => {
    const header = signAlert('secret-a-long-enough', body, 1_000);
    expect(verifyAlertSignature('secret-a-long-enough', body, header, 1_100)).toBe(true);
    expect(verifyAlertSignature('secret-a-long-enough', `${body} `, header, 1_100)).toBe(false);
    expect(verifyAlertSignature('secret-b-long-enough', body, header, 1_100)).toBe(false);
    expect(verifyAlertSignature('secret-a-long-enough', body, header, 1_000 + 301)).toBe(false);
    for (const junk of ['', 't=1000', 'v1=00', 't=abc,v1=00', `t=1000,v1=${'0'.repeat(64)}`, 't=1000,v1=zz']) {
      expect(verifyAlertSignature('secret-a-long-enough', body, junk, 1_000)).toBe(false);
    }
  });
});
