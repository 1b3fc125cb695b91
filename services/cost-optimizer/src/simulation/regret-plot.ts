import type { RegretCurve } from './routing-simulation';

/**
 * The regret curves as a standalone SVG (log-scale request axis). Hand-written: three polylines
 * and a few labels, where a charting library would add a DOM or canvas dependency to a CLI.
 */
export function regretPlotSvg(curve: RegretCurve, title: string): string {
  const width = 720;
  const height = 420;
  const margin = { left: 64, right: 40, top: 40, bottom: 56 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const minX = Math.log10(curve.checkpoints[0] ?? 1);
  const maxX = Math.log10(curve.checkpoints.at(-1) ?? 10);
  const maxY = Math.max(...curve.uniform, ...curve.withPriors, ...curve.laiRobbins) * 1.05 || 1;
  const x = (n: number) => margin.left + ((Math.log10(n) - minX) / (maxX - minX || 1)) * plotW;
  const y = (value: number) => margin.top + plotH - (value / maxY) * plotH;
  const line = (values: readonly number[], color: string, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${curve.checkpoints.map((n, i) => `${x(n).toFixed(1)},${y(values[i]!).toFixed(1)}`).join(' ')}"/>`;
  const xTicks: string[] = [];
  for (let decade = Math.ceil(minX); decade <= maxX; decade++) {
    const px = x(10 ** decade).toFixed(1);
    xTicks.push(`<line x1="${px}" x2="${px}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#eee"/><text x="${px}" y="${height - 36}" text-anchor="middle">${(10 ** decade).toLocaleString('en-US')}</text>`);
  }
  const yTicks: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const value = (maxY / 4) * i;
    const py = y(value).toFixed(1);
    yTicks.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${py}" y2="${py}" stroke="#eee"/><text x="${margin.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${value.toFixed(0)}</text>`);
  }
  const legend = [
    ['#c0392b', 'Thompson sampling, Beta(1, 1)', ''],
    ['#2471a3', 'Thompson sampling, optimizer priors', ''],
    ['#555', `Lai–Robbins bound (${curve.laiRobbinsConstant.toFixed(2)} · ln n)`, '6 4'],
  ]
    .map(([color, label, dash], i) => `<line x1="${margin.left + 12}" x2="${margin.left + 40}" y1="${margin.top + 14 + i * 18}" y2="${margin.top + 14 + i * 18}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/><text x="${margin.left + 46}" y="${margin.top + 14 + i * 18}" dominant-baseline="middle">${label}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${title}</text>
${xTicks.join('\n')}
${yTicks.join('\n')}
<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>
${line(curve.laiRobbins, '#555', '6 4')}
${line(curve.uniform, '#c0392b')}
${line(curve.withPriors, '#2471a3')}
${legend}
<text x="${margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle">requests (log scale)</text>
<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">cumulative regret (lost successes)</text>
</svg>
`;
}
