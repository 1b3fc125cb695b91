/**
 * SHA-256, injected: the ledgers are pure and run wherever a hash function is at hand. Node binds
 * node:crypto (`@switchyard/ledger/node`); a browser binds WebCrypto, whose digest is asynchronous,
 * so the functions a browser needs also take an AsyncHasher (see verifyInclusionAsync).
 */
export interface Hasher {
  /** SHA-256 of the concatenation of `parts` (no parts: the hash of the empty string). */
  sha256(...parts: readonly Uint8Array[]): Uint8Array;
}

export interface AsyncHasher {
  sha256(...parts: readonly Uint8Array[]): Promise<Uint8Array>;
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Lower-case hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += HEX_DIGITS[byte] as string;
  return text;
}

/** Value of each hex digit by char code; -1 for anything else. */
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit += 1) {
  HEX_VALUES[digit.toString(16).charCodeAt(0)] = digit;
  HEX_VALUES[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
}

/** Bytes of an even-length hex string; throws on anything else (callers hand it their own stored hashes). */
export function hexToBytes(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw new RangeError('not a hex string of whole bytes');
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i += 1) {
    const high = HEX_VALUES[text.charCodeAt(i * 2)] ?? -1;
    const low = HEX_VALUES[text.charCodeAt(i * 2 + 1)] ?? -1;
    if (high < 0 || low < 0) throw new RangeError('not a hex string of whole bytes');
    bytes[i] = high * 16 + low;
  }
  return bytes;
}

/** Constant-time in the contents (not the lengths): compares hashes without an early exit. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}
