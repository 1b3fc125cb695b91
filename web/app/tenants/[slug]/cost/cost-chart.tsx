'use client';

import { useMemo } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAxisUsd, formatUsd } from '../../../../lib/cost-format';
import { shapeCostSeries } from '../../../../lib/cost-series';
import type { CostPoint } from '../../../../lib/operations';

export function CostChart({ series, bucketSeconds }: { series: CostPoint[]; bucketSeconds: number }) {
  const data = useMemo(() => shapeCostSeries(series, { bucketSeconds }), [series, bucketSeconds]);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 8 }}>
        <defs>
          <linearGradient id="costFill" x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="#2b59c3" stopOpacity={0.35} />
            <stop offset="100%" stopColor="#2b59c3" stopOpacity={0.02} />
          </linearGradient>
          <linearGradient id="shadowFill" x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="#c2410c" stopOpacity={0.25} />
            <stop offset="100%" stopColor="#c2410c" stopOpacity={0.02} />
          </linearGradient>
        </defs>
        <CartesianGrid stroke="#e2e5ea" strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 11, fill: '#5d6675' }} minTickGap={28} tickLine={false} axisLine={{ stroke: '#cfd4dc' }} />
        <YAxis tickFormatter={formatAxisUsd} tick={{ fontSize: 11, fill: '#5d6675' }} width={76} tickLine={false} axisLine={false} />
        <Tooltip
          formatter={(value, name) => [formatUsd(typeof value === 'number' ? value : Number(value)), String(name)]}
          labelFormatter={(label) => (bucketSeconds > 60 ? `from ${String(label)}` : `minute ${String(label)}`)}
          contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#cfd4dc' }}
        />
        <Legend verticalAlign="top" height={24} iconType="plainline" wrapperStyle={{ fontSize: 12 }} />
        <Area
          type="monotone"
          dataKey="costUsd"
          name="client traffic"
          stroke="#2b59c3"
          strokeWidth={1.5}
          fill="url(#costFill)"
          isAnimationActive={false}
          dot={false}
        />
        {/* Not stacked: shadow cost is its own series, never added to the client cost. */}
        <Area
          type="monotone"
          dataKey="shadowCostUsd"
          name="shadow (experiments)"
          stroke="#c2410c"
          strokeWidth={1.5}
          strokeDasharray="4 3"
          fill="url(#shadowFill)"
          isAnimationActive={false}
          dot={false}
        />
      </AreaChart>
    </ResponsiveContainer>
  );
}
