// `npx tsx e2e/bench/profile-tail.ts PROFILE.cpuprofile [minBusyMs] [lastSeconds]`: the tail of a V8 CPU profile
// (`npm run bench -- --cpu-prof`), not its median. Splits the timeline into busy stretches (samples
// between two idle ones: one event-loop turn or a run of turns without a pause) and, for stretches of
// at least minBusyMs (default 3; only the profile's last `lastSeconds` when given), prints what they spent their time on; then the profile's top
// functions by self time overall, which is what BENCHMARKS.md publishes as "the top of the profile".
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-tail.ts PROFILE.cpuprofile [minBusyMs]');
const minBusyMs = Number(process.argv[3] ?? 3);
const lastSeconds = process.argv[4] === undefined ? Number.POSITIVE_INFINITY : Number(process.argv[4]);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const profileMs = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0) / 1000;
const fromMs = profileMs - lastSeconds * 1000;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? ` ${path.basename(url)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where}`;
};
/** The stack's outermost frame that is not the runtime's own: what the turn was doing. */
const entry = (id: number): string => {
  const chain: ProfileNode[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(byId.get(at)!);
  const meaningful = chain.reverse().filter((node) => node.callFrame.url !== '' && !node.callFrame.url.startsWith('node:'));
  const first = meaningful[0] ?? chain.at(-1)!;
  return label(first);
};

const idle = (id: number): boolean => byId.get(id)?.callFrame.functionName === '(idle)';
interface Stretch {
  startMs: number;
  ms: number;
  self: Map<string, number>;
  entries: Map<string, number>;
}
const stretches: Stretch[] = [];
const overall = new Map<string, number>();
let totalMs = 0;
let idleMs = 0;
let current: Stretch | undefined;
let clockMs = 0;
const add = (map: Map<string, number>, key: string, ms: number): void => void map.set(key, (map.get(key) ?? 0) + ms);
for (let i = 0; i < profile.samples.length; i++) {
  // A sample's time is the delta to the next sample.
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  clockMs += (profile.timeDeltas[i] ?? 0) / 1000;
  const id = profile.samples[i]!;
  if (clockMs < fromMs) continue;
  totalMs += ms;
  if (idle(id)) {
    idleMs += ms;
    if (current) stretches.push(current);
    current = undefined;
    continue;
  }
  const node = byId.get(id)!;
  add(overall, label(node), ms);
  current ??= { startMs: clockMs, ms: 0, self: new Map(), entries: new Map() };
  current.ms += ms;
  add(current.self, label(node), ms);
  add(current.entries, entry(id), ms);
}
if (current) stretches.push(current);

const top = (map: Map<string, number>, n: number, total: number): string =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => `    ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(2).padStart(8)} ms  ${name}`)
    .join('\n');

const busyMs = totalMs - idleMs;
const long = stretches.filter((s) => s.ms >= minBusyMs);
const longSelf = new Map<string, number>();
const longEntries = new Map<string, number>();
let longMs = 0;
for (const s of long) {
  longMs += s.ms;
  for (const [k, v] of s.self) add(longSelf, k, v);
  for (const [k, v] of s.entries) add(longEntries, k, v);
}
const sizes = stretches.map((s) => s.ms).sort((a, b) => a - b);
const at = (p: number) => sizes[Math.min(sizes.length - 1, Math.floor((p / 100) * sizes.length))]?.toFixed(2);
process.stdout.write(
  `${path.basename(file)}: ${(totalMs / 1000).toFixed(1)} s profiled, ${(busyMs / 1000).toFixed(2)} s busy; ${stretches.length} busy stretches, p50 ${at(50)} ms, p99 ${at(99)} ms, max ${at(100)} ms\n` +
    `stretches of ≥ ${minBusyMs} ms: ${long.length}, ${longMs.toFixed(1)} ms in all\n` +
    `  their top functions (self time):\n${top(longSelf, 15, longMs)}\n` +
    `  their entry frames (outermost non-runtime frame):\n${top(longEntries, 10, longMs)}\n` +
    `the ten longest:\n  ${[...long]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10)
      .map((s) => `${s.ms.toFixed(1)} ms at ${(s.startMs / 1000).toFixed(2)} s (${[...s.entries].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')})`)
      .join('\n  ')}\n` +
    `top of the whole profile (self time, % of busy time):\n${top(overall, 20, busyMs)}\n`,
);
