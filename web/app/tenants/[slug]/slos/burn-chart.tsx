'use client';

import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { burnShareOfThreshold, formatBurn, windowLabel } from '../../../../lib/slo-format';
import type { Slo } from '../../../../lib/slo-operations';

/**
 * Each SLO's four burn rates as a share of their alert threshold: a pair fires when both its
 * bars pass the line at 1. One scale for every pair (their thresholds differ: 14.4× and 3×).
 */
export function BurnChart({ slos }: { slos: Slo[] }) {
  const data = slos.map((slo) => {
    const row: Record<string, string | number> = { name: `${slo.route} · ${slo.kind.toLowerCase()}` };
    for (const w of slo.status.windows) {
      row[`${w.name}Long`] = burnShareOfThreshold(w, w.longBurnRate);
      row[`${w.name}Short`] = burnShareOfThreshold(w, w.shortBurnRate);
      row[`${w.name}LongRate`] = w.longBurnRate;
      row[`${w.name}ShortRate`] = w.shortBurnRate;
    }
    return row;
  });
  const first = slos[0]?.status.windows ?? [];
  const label = (name: string, which: 'long' | 'short') => {
    const w = first.find((window) => window.name === name);
    if (!w) return name;
    return `${name} ${windowLabel(which === 'long' ? w.longWindowSeconds : w.shortWindowSeconds)} (alert at ${formatBurn(w.threshold)})`;
  };
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="#e2e5ea" strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" tick={{ fontSize: 11, fill: '#5d6675' }} tickLine={false} axisLine={{ stroke: '#cfd4dc' }} interval={0} />
        <YAxis tick={{ fontSize: 11, fill: '#5d6675' }} tickLine={false} axisLine={false} width={44} tickFormatter={(v: number) => `${v}×`} />
        <Tooltip
          formatter={(value, name) => [`${Number(value).toFixed(2)} of the threshold`, String(name)]}
          contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#cfd4dc' }}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <ReferenceLine y={1} stroke="#b42318" strokeDasharray="4 3" label={{ value: 'alert threshold', position: 'insideTopRight', fontSize: 11, fill: '#b42318' }} />
        <Bar dataKey="fastLong" name={label('fast', 'long')} fill="#2b59c3" isAnimationActive={false} />
        <Bar dataKey="fastShort" name={label('fast', 'short')} fill="#7d9be0" isAnimationActive={false} />
        <Bar dataKey="slowLong" name={label('slow', 'long')} fill="#8a5a00" isAnimationActive={false} />
        <Bar dataKey="slowShort" name={label('slow', 'short')} fill="#d9b25f" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
