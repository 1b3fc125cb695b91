// npm run simulate: the routing simulation of BENCHMARKS.md "Cost optimizer: regret with and without priors".
// Writes bench-results/routing-simulation.{svg,json,md}. Options: --horizon N --runs N --seed N.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { regretPlotSvg } from './regret-plot';
import { simulateRegret, type SimulationInstance } from './routing-simulation';

const { values } = parseArgs({ options: { horizon: { type: 'string', default: '100000' }, runs: { type: 'string', default: '20' }, seed: { type: 'string', default: '11' } } });
const instance: SimulationInstance = {
  means: [0.9, 0.85, 0.8, 0.6],
  horizon: Number(values.horizon),
  runs: Number(values.runs),
  historyPerArm: 200,
  seed: Number(values.seed),
};
if (![instance.horizon, instance.runs, instance.seed].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--horizon, --runs and --seed take positive integers');

const curve = simulateRegret(instance);
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../bench-results');
await mkdir(resultsDir, { recursive: true });
const at = (n: number) => curve.checkpoints.findIndex((c) => c >= n);
const rows = [100, 1_000, 10_000, instance.horizon]
  .filter((n) => n <= instance.horizon)
  .map((n) => {
    const i = at(n);
    const cut = 100 * (1 - curve.withPriors[i]! / curve.uniform[i]!);
    return `| ${n.toLocaleString('en-US')} | ${curve.uniform[i]!.toFixed(1)} | ${curve.withPriors[i]!.toFixed(1)} | ${cut.toFixed(0)} % | ${curve.laiRobbins[i]!.toFixed(1)} | ${(curve.uniform[i]! / Math.log(n)).toFixed(2)} |`;
  });
const table = [
  `Arms (success probability): ${instance.means.join(', ')}; ${instance.runs} seeded runs of ${instance.horizon.toLocaleString('en-US')} requests; priors from ${instance.historyPerArm} requests per arm (priorsFromScores, at most 20 pseudo-observations). Lai–Robbins constant ${curve.laiRobbinsConstant.toFixed(3)}.`,
  '',
  '| requests | regret, Beta(1, 1) | regret, optimizer priors | cut by priors | Lai–Robbins bound | regret / ln n (Beta(1, 1)) |',
  '|---:|---:|---:|---:|---:|---:|',
  ...rows,
].join('\n');
await writeFile(join(resultsDir, 'routing-simulation.svg'), regretPlotSvg(curve, `Thompson sampling regret, ${instance.means.length} arms, mean of ${instance.runs} runs`));
await writeFile(join(resultsDir, 'routing-simulation.json'), `${JSON.stringify({ instance, curve }, null, 1)}\n`);
await writeFile(join(resultsDir, 'routing-simulation.md'), `${table}\n`);
process.stdout.write(`${table}\n\nwrote bench-results/routing-simulation.{svg,json,md}\n`);
