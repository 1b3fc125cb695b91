import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid } from './checksums';
import { generateCorpus } from './labelled-corpus';
import { scoreRedactor } from './evaluate-redactor';
import { findPii, redact } from './redact';

describe('PII redaction', () => {
  it('redacts each type and counts it', () => {
    const text =
      'Mail anna@example.com or call +1 (415) 555-0134; card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, ' +
      'SSN 123-45-6789, NINO AB123456C, from 10.1.2.3 / 2001:db8::1, key sk-abcdefghijklmnopqrstuvwxyz012345';
    const result = redact(text);
    expect(result.counts).toEqual({ email: 1, phone: 1, payment_card: 1, iban: 1, us_ssn: 1, uk_nino: 1, ip_address: 2, secret: 1 });
    for (const secret of ['anna@example.com', '555-0134', '4111 1111', 'WEST', '123-45-6789', 'AB123456C', '10.1.2.3', '2001:db8::1', 'sk-abc']) {
      expect(result.text).not.toContain(secret);
    }
    expect(result.text).toContain('[REDACTED:EMAIL]');
  });

  it('leaves look-alikes alone: Luhn-invalid numbers, bad IBAN check digits, dates, versions', () => {
    for (const text of ['order 4111 1111 1111 1112', 'DE00123456789012345678', 'on 2026-11-26 at 12:30:45', 'release v1.2.3', 'total $1,234.56']) {
      expect(findPii(text), text).toEqual([]);
    }
  });

  it('honours a per-tenant policy', () => {
    const result = redact('anna@example.com 10.0.0.1', { types: new Set(['ip_address']) });
    expect(result.text).toBe('anna@example.com [REDACTED:IP_ADDRESS]');
  });

  it('handles hostile input without catastrophic backtracking or crashes', () => {
    const hostile = `${'1 '.repeat(20_000)}${'a@'.repeat(20_000)}${'::'.repeat(10_000)}\u0000\uD800`;
    expect(() => redact(hostile)).not.toThrow();
  });

  it('checks check digits', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB83WEST12345698765432')).toBe(false);
    expect(ibanValid('XX82WEST12345698765432')).toBe(false);
  });

  it('meets its recall and false-positive targets on the generated labelled corpus', () => {
    const score = scoreRedactor(generateCorpus({ seed: 20261126, perType: 300, negatives: 2000 }));
    for (const [type, entry] of Object.entries(score.recall)) expect(entry.recall, type).toBeGreaterThanOrEqual(0.95);
    expect(score.overallRecall).toBeGreaterThanOrEqual(0.98);
    expect(score.falsePositiveRate).toBeLessThanOrEqual(0.03);
  });
});
