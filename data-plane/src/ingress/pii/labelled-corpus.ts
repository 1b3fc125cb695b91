import type { PiiType } from './detectors';
import { IBAN_LENGTHS } from './checksums';

/**
 * A generated, labelled corpus for measuring the redactor: sentences that carry exactly one PII
 * value of a known type (positives) and sentences that carry a look-alike that is NOT PII
 * (negatives: order numbers, dates, versions, Luhn-invalid card numbers, ISBNs, UUIDs, hashes…).
 * Seeded, so every run measures the same corpus.
 */
export interface LabelledSample {
  text: string;
  /** The PII value inside `text`, or null for a negative sample. */
  label: { type: PiiType; value: string } | null;
  /** What kind of look-alike a negative sample carries (for the report). */
  distractor?: string;
}

function rng(seed: number): () => number {
  // mulberry32: small, fast, good enough for test data.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCorpus(options: { seed: number; perType: number; negatives: number }): LabelledSample[] {
  const random = rng(options.seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  const digits = (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join('');
  const letters = (n: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') => Array.from({ length: n }, () => pick([...alphabet])).join('');
  const alnum = (n: number) => Array.from({ length: n }, () => pick([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'])).join('');
  const group = (text: string, size: number, separator: string) => text.match(new RegExp(`.{1,${size}}`, 'g'))?.join(separator) ?? text;

  const luhnComplete = (partial: string): string => {
    for (let check = 0; check <= 9; check += 1) {
      const candidate = partial + check;
      let sum = 0;
      let double = false;
      for (let i = candidate.length - 1; i >= 0; i -= 1) {
        let digit = Number(candidate[i]);
        if (double) {
          digit *= 2;
          if (digit > 9) digit -= 9;
        }
        sum += digit;
        double = !double;
      }
      if (sum % 10 === 0) return candidate;
    }
    throw new Error('unreachable');
  };
  const ibanFor = (country: string, bban: string): string => {
    const numeric = [...`${bban}${country}00`].map((char) => (/[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char)).join('');
    let remainder = 0;
    for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
    return `${country}${String(98 - remainder).padStart(2, '0')}${bban}`;
  };

  const makers: Record<PiiType, () => string> = {
    email: () => `${pick(['anna', 'j.smith', 'li.wei', 'm_garcia', 'ops+alerts', 'k.o'])}${int(1, 999)}@${pick(['example.com', 'corp.example.org', 'mail.example.co.uk', 'acme.io'])}`,
    payment_card: () => {
      const [prefix, length] = pick([['4', 16], ['51', 16], ['55', 16], ['34', 15], ['37', 15], ['6011', 16]] as const);
      const number = luhnComplete(prefix + digits(length - prefix.length - 1));
      return pick([number, group(number, 4, ' '), group(number, 4, '-')]);
    },
    iban: () => {
      const country = pick(['DE', 'GB', 'FR', 'NL', 'ES', 'CH'] as const);
      const length = IBAN_LENGTHS[country] as number;
      const bban = country === 'GB' || country === 'NL' ? letters(4) + digits(length - 8) : digits(length - 4);
      const iban = ibanFor(country, bban);
      return random() < 0.5 ? iban : group(iban, 4, ' ');
    },
    us_ssn: () => `${String(int(1, 665)).padStart(3, '0')}-${String(int(1, 99)).padStart(2, '0')}-${String(int(1, 9999)).padStart(4, '0')}`,
    uk_nino: () => `${pick(['AB', 'CE', 'JG', 'PR', 'SW', 'HK'])}${digits(6)}${pick(['A', 'B', 'C', 'D'])}`,
    ip_address: () =>
      random() < 0.7
        ? `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`
        : pick([`2001:db8:${int(1, 9999).toString(16)}::${int(1, 65535).toString(16)}`, `fe80::${int(1, 65535).toString(16)}:${int(1, 65535).toString(16)}`, Array.from({ length: 8 }, () => int(0, 65535).toString(16)).join(':')]),
    phone: () =>
      pick([
        `+1 (${int(201, 989)}) ${int(200, 999)}-${digits(4)}`,
        `+44 20 ${int(7000, 8999)} ${digits(4)}`,
        `${int(201, 989)}-${int(200, 999)}-${digits(4)}`,
        `+49${int(151, 179)}${digits(8)}`,
        `+33 6 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
      ]),
    secret: () => pick([`sk-${alnum(48)}`, `sk-proj-${alnum(40)}`, `AKIA${letters(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, `ghp_${alnum(36)}`, `eyJ${alnum(20)}.eyJ${alnum(30)}.${alnum(40)}`]),
  };

  const templates = [
    (value: string) => `Please update my record, the value is ${value} thanks.`,
    (value: string) => `${value}`,
    (value: string) => `Customer wrote: "can you check ${value}?" — escalate if needed.`,
    (value: string) => `Summarise this ticket:\nFrom: support\nDetails: ${value}\nPriority: high`,
    (value: string) => `(${value})`,
  ];

  const distractors: Array<[string, () => string]> = [
    ['order number', () => `Order #${digits(8)}`],
    ['date', () => `2026-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`],
    ['time', () => `${int(0, 23)}:${String(int(0, 59)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}`],
    ['semver', () => `v${int(0, 20)}.${int(0, 40)}.${int(0, 99)}`],
    ['luhn-invalid card-like number', () => {
      const valid = luhnComplete(`4${digits(14)}`);
      return valid.slice(0, -1) + String((Number(valid.at(-1)) + int(1, 9)) % 10);
    }],
    ['price', () => `$${int(1, 99)},${digits(3)}.${digits(2)}`],
    ['ISBN', () => `978-${int(0, 9)}-${digits(2)}-${digits(6)}-${int(0, 9)}`],
    ['UUID', () => `${alnum(8).toLowerCase().replace(/[g-z]/g, 'a')}-4${digits(3)}-8${digits(3)}-${digits(4)}-${digits(12)}`],
    ['git hash', () => Array.from({ length: 40 }, () => pick([...'0123456789abcdef'])).join('')],
    ['short number', () => `${int(1, 99999)}`],
    ['invalid IBAN check digits', () => `DE${String(int(0, 1)).padStart(2, '0')}${digits(18)}`],
    ['percent', () => `${int(1, 99)}.${int(0, 9)}%`],
    ['zip+4', () => `${digits(5)}-${digits(4)}`],
    ['local mailbox', () => `root@localhost`],
    ['tracking number', () => `1Z${letters(6)}${digits(10)}`],
    ['measurement', () => `${int(1, 999)} x ${int(1, 999)} mm`],
  ];

  const samples: LabelledSample[] = [];
  for (const [type, make] of Object.entries(makers) as Array<[PiiType, () => string]>) {
    for (let i = 0; i < options.perType; i += 1) {
      const value = make();
      samples.push({ text: pick(templates)(value), label: { type, value } });
    }
  }
  for (let i = 0; i < options.negatives; i += 1) {
    const [kind, make] = pick(distractors);
    samples.push({ text: pick(templates)(make()), label: null, distractor: kind });
  }
  return samples;
}
