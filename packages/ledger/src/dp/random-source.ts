/** Uniform integers, the only randomness the exact samplers use (no floating point anywhere). */
export interface RandomSource {
  /** Uniform in [0, n) for n ≥ 1. */
  uniformBelow(n: bigint): bigint;
}

/** Deterministic source for tests (SplitMix64); never for releases. */
export function seededRandomSource(seed: bigint): RandomSource {
  let state = BigInt.asUintN(64, seed);
  const next64 = (): bigint => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
  return {
    uniformBelow(n) {
      if (n < 1n) throw new RangeError('n must be ≥ 1');
      const bits = (n - 1n).toString(2).length;
      const mask = (1n << BigInt(bits)) - 1n;
      for (;;) {
        let value = 0n;
        for (let have = 0; have < bits; have += 64) value = (value << 64n) | next64();
        const candidate = value & mask;
        if (candidate < n) return candidate;
      }
    },
  };
}
