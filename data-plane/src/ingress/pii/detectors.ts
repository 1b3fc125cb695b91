import { isIPv6 } from 'node:net';
import { ibanValid, luhnValid } from './checksums';

export const PII_TYPES = ['secret', 'payment_card', 'iban', 'us_ssn', 'uk_nino', 'email', 'ip_address', 'phone'] as const;
export type PiiType = (typeof PII_TYPES)[number];

export interface Detector {
  type: PiiType;
  /** Global, sticky-free pattern for candidates; `validate` removes look-alikes. */
  pattern: RegExp;
  validate?: (match: string) => boolean;
}

const digitsOf = (text: string) => text.replace(/\D/g, '');

/**
 * Listed in priority order: when two candidates overlap, the earlier type wins (a card number is
 * not also reported as a phone number; an API key containing an email-like part is a secret).
 */
export const DETECTORS: readonly Detector[] = [
  {
    type: 'secret',
    // Provider keys (OpenAI/Anthropic/ours), AWS access key ids, GitHub and Slack tokens, JWTs.
    pattern: /\b(?:sk-(?:ant-|proj-|sy-)?[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abprs]-[A-Za-z0-9-]{10,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})/g,
  },
  {
    type: 'iban',
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g,
    validate: (match) => ibanValid(match.replace(/ /g, '')),
  },
  {
    type: 'payment_card',
    pattern: /(?<![\w+-])\d(?:[ -]?\d){12,18}(?![\w-])/g,
    validate: (match) => {
      const digits = digitsOf(match);
      return digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhnValid(digits);
    },
  },
  {
    type: 'us_ssn',
    pattern: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g,
  },
  {
    type: 'uk_nino',
    pattern: /\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g,
  },
  {
    type: 'email',
    pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g,
  },
  {
    type: 'ip_address',
    // IPv4 with octets ≤ 255; IPv6 candidates are hex-and-colon runs confirmed by node:net.
    pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b|(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g,
    validate: (match) => (match.includes(':') ? isIPv6(match) : true),
  },
  {
    type: 'phone',
    // International (+CC and groups) or national grouped numbers; 10-15 digits in all.
    // Not inside a longer run of digit groups (that is a card or account number, valid or not).
    pattern: /(?<![\w-]|\d[ .-]?)(?:\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}|(?:\(\d{2,4}\)[ .-]?|\b\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}\b)(?![ .-]?\d)/g,
    validate: (match) => {
      const digits = digitsOf(match);
      return digits.length >= 10 && digits.length <= 15;
    },
  },
];
