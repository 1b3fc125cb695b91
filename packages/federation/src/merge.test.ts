import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SignedDelta, StatsDelta } from './delta';
import { createFederatedStats, type MergeOptions } from './merge';
import { createDeltaPublisher } from './publisher';
import { createFederationReceiver } from './receiver';
import { publicKeyFromJwk, signDelta, signingKeyFromJwk, type RegionKeyring, type RegionSigningKey } from './signing';

/** mulberry32: a seeded generator, so the simulation is the same every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function keyFor(region: string): { signing: RegionSigningKey; trusted: { keyId: string; publicKey: ReturnType<typeof publicKeyFromJwk> } } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signing: signingKeyFromJwk(region, `${region}-1`, privateKey.export({ format: 'jwk' })), trusted: { keyId: `${region}-1`, publicKey: publicKeyFromJwk(publicKey.export({ format: 'jwk' })) } };
}

const entry = (upstream: string, requests: number, successes: number, latencyMs = 400) => ({ route: 'smart', upstream, requests, successes, latencyMsSum: successes * latencyMs, qualitySum: 0, qualityCount: 0 });
const delta = (region: string, version: number, entries: StatsDelta['entries']): StatsDelta => ({ region, version, issuedAt: version, entries });

describe('damped merge', () => {
  it('a replayed or stale version, and the own region, change nothing', () => {
    const stats = createFederatedStats('region-c');
    expect(stats.apply(delta('region-a', 5, [entry('x', 100, 90)]))).toEqual({ applied: true, entries: 1 });
    const before = stats.view('smart', 'x');
    expect(stats.apply(delta('region-a', 5, [entry('x', 100, 0)]))).toEqual({ applied: false, reason: 'replayed_or_stale' });
    expect(stats.apply(delta('region-a', 3, [entry('x', 100, 0)]))).toEqual({ applied: false, reason: 'replayed_or_stale' });
    expect(stats.apply(delta('region-c', 9, [entry('x', 100, 0)]))).toEqual({ applied: false, reason: 'own_region' });
    expect(stats.view('smart', 'x')).toEqual(before);
    expect(stats.lastVersion('region-a')).toBe(5);
  });

  it('no single delta moves an estimate by more than one step, however extreme', () => {
    const stats = createFederatedStats('region-c');
    stats.apply(delta('region-a', 1, [entry('x', 1_000, 1_000, 100)]));
    const first = stats.view('smart', 'x');
    // The first evidence starts from an even rate, not from the region's claim.
    expect(first?.successRate).toBeCloseTo(0.55, 10);
    stats.apply(delta('region-a', 2, [entry('x', 1_000_000, 0, 100_000)]));
    expect(stats.view('smart', 'x')?.successRate).toBeCloseTo(0.5, 10);
    // Latency moves by at most the factor: 0 successes carry no latency, so it stayed.
    stats.apply(delta('region-a', 3, [entry('x', 1_000, 1_000, 100_000)]));
    expect(stats.view('smart', 'x')?.latencyMs).toBeCloseTo(125, 6);
  });

  it('regions that disagree meet at the traffic-weighted middle, not at the last writer', () => {
    const stats = createFederatedStats('region-c');
    for (let version = 1; version <= 200; version += 1) {
      stats.apply(delta('region-a', version, [entry('x', 300, 270)]));
      stats.apply(delta('region-b', version, [entry('x', 100, 50)]));
    }
    const view = stats.view('smart', 'x');
    expect(view?.regions).toEqual(['region-a', 'region-b']);
    expect(view?.successRate).toBeCloseTo((0.9 * 300 + 0.5 * 100) / 400, 2);
  });
});

/**
 * The simulation the issue asks for: two regions report the same two upstreams with different
 * local truths (conflicting), binomial noise in every interval, random delivery delays (so deltas
 * arrive out of order and late ones are refused as stale), duplicates, a forged region and a
 * replaying attacker. The damped merge converges to the traffic-weighted truth and, after a
 * burn-in, never flips which upstream ranks first; the same stream merged without damping flips
 * often, so the test can tell the difference.
 */
describe('simulation: noisy, delayed, conflicting updates', () => {
  const TRUTH: Record<string, Record<string, number>> = { 'region-a': { x: 0.85, y: 0.7 }, 'region-b': { x: 0.7, y: 0.8 } };
  const VOLUME: Record<string, number> = { 'region-a': 300, 'region-b': 100 };
  const TICKS = 400;
  const BURN_IN = 100;

  function binomial(random: () => number, n: number, p: number): number {
    let k = 0;
    for (let i = 0; i < n; i += 1) if (random() < p) k += 1;
    return k;
  }

  function run(options: Partial<MergeOptions>, seed: number) {
    const random = prng(seed);
    const keys = { 'region-a': keyFor('region-a'), 'region-b': keyFor('region-b') };
    const attacker = keyFor('region-a'); // same region name and key id, another key: a forgery
    const keyring: RegionKeyring = new Map(Object.entries(keys).map(([region, key]) => [region, [key.trusted]]));
    const stats = createFederatedStats('region-c', options);
    const receiver = createFederationReceiver(keyring, stats);
    const publishers = Object.fromEntries(Object.entries(keys).map(([region, key]) => [region, createDeltaPublisher({ key: key.signing })]));
    const inFlight: Array<{ at: number; signed: SignedDelta }> = [];
    const delivered: SignedDelta[] = [];
    const series: Array<{ x: number; y: number }> = [];

    for (let tick = 1; tick <= TICKS; tick += 1) {
      for (const [region, publisher] of Object.entries(publishers)) {
        for (const upstream of ['x', 'y']) {
          const n = Math.round((VOLUME[region] ?? 0) * (0.5 + random()));
          const successes = binomial(random, n, TRUTH[region]?.[upstream] ?? 0);
          for (let i = 0; i < n; i += 1) publisher.record({ kind: 'outcome', route: 'smart', upstream, success: i < successes, latencyMs: 400 });
        }
        for (const signed of publisher.cut(tick)) inFlight.push({ at: tick + Math.floor(random() * 4), signed }); // 0–3 ticks late
      }
      // Every few ticks a forgery that would make y look perfect, and a replay of something old.
      if (tick % 7 === 0) inFlight.push({ at: tick, signed: signDelta(attacker.signing, delta('region-a', Number.MAX_SAFE_INTEGER - tick, [entry('y', 1e6, 1e6)])) });
      if (tick % 5 === 0 && delivered.length > 0) inFlight.push({ at: tick, signed: delivered[Math.floor(random() * delivered.length)] as SignedDelta });
      for (const arriving of inFlight.filter((f) => f.at <= tick)) {
        receiver.receive(arriving.signed);
        delivered.push(arriving.signed);
      }
      inFlight.splice(0, inFlight.length, ...inFlight.filter((f) => f.at > tick));
      series.push({ x: stats.view('smart', 'x')?.successRate ?? 0, y: stats.view('smart', 'y')?.successRate ?? 0 });
    }
    const settled = series.slice(BURN_IN);
    let flips = 0;
    for (let i = 1; i < settled.length; i += 1) {
      const before = settled[i - 1] as { x: number; y: number };
      const now = settled[i] as { x: number; y: number };
      if (before.x > before.y !== now.x > now.y) flips += 1;
    }
    const xs = settled.map((s) => s.x);
    return { flips, last: series[series.length - 1] as { x: number; y: number }, xRange: Math.max(...xs) - Math.min(...xs), counts: receiver.counts() };
  }

  const weighted = (upstream: 'x' | 'y') => ((TRUTH['region-a']?.[upstream] ?? 0) * 300 + (TRUTH['region-b']?.[upstream] ?? 0) * 100) / 400;

  it.each([1, 2, 3])('converges without oscillating (seed %i); forgeries and replays are refused', (seed) => {
    const damped = run({}, seed);
    expect(damped.flips).toBe(0);
    expect(damped.last.x).toBeCloseTo(weighted('x'), 1);
    expect(damped.last.y).toBeCloseTo(weighted('y'), 1);
    expect(Math.abs(damped.last.x - weighted('x'))).toBeLessThan(0.03);
    expect(Math.abs(damped.last.y - weighted('y'))).toBeLessThan(0.03);
    expect(damped.xRange).toBeLessThan(0.06);
    expect(damped.counts.bad_signature).toBeGreaterThanOrEqual(Math.floor(TICKS / 7)); // replays of forgeries too
    expect(damped.counts.replayed_or_stale).toBeGreaterThan(0);
    expect(damped.counts.applied).toBeGreaterThan(TICKS); // most of both regions' deltas, despite the delays

    // The same stream without damping: the last delivered delta wins, and routing flips.
    const undamped = run({ maxAlpha: 1, fullWeightRequests: 1, maxStep: 1, maxLatencyFactor: 1e9 }, seed);
    expect(undamped.flips).toBeGreaterThan(0);
    expect(undamped.xRange).toBeGreaterThan(2 * damped.xRange);
  });

  it('a validly signed region that alternates extremes makes the estimate wobble by one step, not swing', () => {
    const key = keyFor('region-e');
    const stats = createFederatedStats('region-c');
    const receiver = createFederationReceiver(new Map([['region-e', [key.trusted]]]), stats);
    const seen: number[] = [];
    for (let version = 1; version <= 300; version += 1) {
      const successes = version % 2 === 0 ? 10_000 : 0;
      expect(receiver.receive(signDelta(key.signing, delta('region-e', version, [entry('x', 10_000, successes)])))).toBe('applied');
      if (version > 50) seen.push(stats.view('smart', 'x')?.successRate ?? 0);
    }
    expect(Math.max(...seen) - Math.min(...seen)).toBeLessThanOrEqual(0.05 + 1e-9);
  });

  it('a forged, tampered or replayed delta changes nothing', () => {
    const a = keyFor('region-a');
    const mallory = keyFor('region-a');
    const stats = createFederatedStats('region-c');
    const receiver = createFederationReceiver(new Map([['region-a', [a.trusted]]]), stats);
    const first = signDelta(a.signing, delta('region-a', 1, [entry('x', 200, 150)]));
    expect(receiver.receive(first)).toBe('applied');
    const before = JSON.stringify(stats.view('smart', 'x'));
    expect(receiver.receive(signDelta(mallory.signing, delta('region-a', 2, [entry('x', 1e6, 0)])))).toBe('bad_signature');
    const tampered = { ...first, payload: Buffer.from(JSON.stringify(delta('region-a', 3, [entry('x', 200, 0)]))).toString('base64url') };
    expect(receiver.receive(tampered)).toBe('bad_signature');
    expect(receiver.receive(first)).toBe('replayed_or_stale');
    expect(JSON.stringify(stats.view('smart', 'x'))).toBe(before);
    expect(stats.lastVersion('region-a')).toBe(1);
  });
});
