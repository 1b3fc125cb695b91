// `npx tsx e2e/bench/allocation-profile.ts FILE [requests]`: what the gateway allocated per request, by function, from
// the sampling heap profile BENCH_ALLOCATION_PROFILE=FILE npm run bench -- --probe writes (it keeps objects
// that collections freed, so it is the allocation rate that drives scavenges, not what survived).
import { readFileSync } from 'node:fs';
import path from 'node:path';
interface N { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: N[] }
const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { head: N };
const requests = Number(process.argv[3] ?? 5000);
const self = new Map<string, number>(); const incl = new Map<string, number>(); let total = 0;
const walk = (n: N, stack: string[]): number => {
  const name = `${n.callFrame.functionName || '(anon)'} ${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  self.set(name, (self.get(name) ?? 0) + n.selfSize); total += n.selfSize;
  let sum = n.selfSize; for (const c of n.children) sum += walk(c, [...stack, name]);
  if (!stack.includes(name)) incl.set(name, (incl.get(name) ?? 0) + sum);
  return sum;
};
walk(profile.head, []);
const show = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, b]) => `  ${(b / requests / 1024).toFixed(2).padStart(7)} KB/req  ${n}`).join('\n');
console.log(`total ${(total / requests / 1024).toFixed(1)} KB per request (${requests} requests)\nself:\n${show(self, 30)}\ninclusive (ours):\n${show(new Map([...incl].filter(([n]) => n.includes('gateway.mjs'))), 30)}`);
