// `npx tsx e2e/bench/profile-shares.ts A.cpuprofile [B.cpuprofile ...]`: the CPU time of a V8 profile
// (`npm run bench -- --cpu-prof`) by component, inclusive (a sample counts once for every component
// on its stack), so an A/B compares what a lever removes rather than scattered self times. Only
// samples after the first `BENCH_SKIP_SECONDS` (default 0) count: skip start-up and warm-up.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Component: matched against a frame's `function url`. Order does not matter (inclusive). */
const COMPONENTS: Array<[string, RegExp]> = [
  ['ioredis (commands, pipelines, replies)', /\/ioredis\/|redis-parser|standard-as-callback|cluster-key-slot/],
  ['rate limiter (ours, incl. its ioredis calls)', /^(reserveLimits|settleLimits|decide|consumeAll|settle|add|take|flushAll) /],
  ['event-stream reader and chunk parser', /eventsource-parser|^(readEvents\d*|chunkEvents|isUpstreamChunk) /],
  ['whole-answer reader', /^(readAnswer|answerEvents|isUpstreamAnswer) /],
  ['undici (upstream HTTP)', /\/undici\//],
  ['prom-client', /\/prom-client\//],
  ['pino (logging)', /\/pino\//],
  ['Prisma / pg', /@prisma|\/pg\/|\/pg-protocol\//],
  ['garbage collector', /^\(garbage collector\) /],
];

const skipMs = Number(process.env.BENCH_SKIP_SECONDS ?? 0) * 1000;
for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url}`;
  const totals = new Map<string, number>();
  let busy = 0;
  let at = 0;
  profile.samples.forEach((id, index) => {
    const delta = (profile.timeDeltas[index] ?? 0) / 1000;
    at += delta;
    if (at < skipMs) return;
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === '(idle)') return;
    busy += delta;
    const hit = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const text = label(byId.get(node)!);
      for (const [name, pattern] of COMPONENTS) if (pattern.test(text)) hit.add(name);
    }
    for (const name of hit) totals.set(name, (totals.get(name) ?? 0) + delta);
  });
  process.stdout.write(`${path.basename(file)}: ${(busy / 1000).toFixed(2)} s busy after ${skipMs / 1000} s\n`);
  for (const [name] of COMPONENTS) {
    const ms = totals.get(name) ?? 0;
    process.stdout.write(`  ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${name}\n`);
  }
}
