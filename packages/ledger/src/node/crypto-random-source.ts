import { randomBytes } from 'node:crypto';
import type { RandomSource } from '../dp/random-source';

/** Cryptographic randomness with rejection sampling, so there is no modulo bias. */
export const cryptoRandomSource: RandomSource = {
  uniformBelow(n) {
    if (n < 1n) throw new RangeError('n must be ≥ 1');
    if (n === 1n) return 0n;
    const bits = (n - 1n).toString(2).length;
    const bytes = Math.ceil(bits / 8);
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      const candidate = BigInt(`0x${randomBytes(bytes).toString('hex')}`) & mask;
      if (candidate < n) return candidate;
    }
  },
};
