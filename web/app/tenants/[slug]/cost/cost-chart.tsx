'use client';

import { useMemo } from 'react';
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAxisUsd, formatUsd } from '../../../../lib/cost-format';
import { shapeCostSeries } from '../../../../lib/cost-series';
import type { CostPoint } from '../../../../lib/operations';

export function CostChart({ series }: { series: CostPoint[] }) {
  const data = useMemo(() => shapeCostSeries(series), [series]);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 8 }}>
        <defs>
          <linearGradient id="costFill" x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="#2b59c3" stopOpacity={0.35} />
            <stop offset="100%" stopColor="#2b59c3" stopOpacity={0.02} />
          </linearGradient>
        </defs>
        <CartesianGrid stroke="#e2e5ea" strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 11, fill: '#5d6675' }} minTickGap={28} tickLine={false} axisLine={{ stroke: '#cfd4dc' }} />
        <YAxis tickFormatter={formatAxisUsd} tick={{ fontSize: 11, fill: '#5d6675' }} width={76} tickLine={false} axisLine={false} />
        <Tooltip
          formatter={(value) => [formatUsd(typeof value === 'number' ? value : Number(value)), 'cost']}
          labelFormatter={(label) => `minute ${String(label)}`}
          contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#cfd4dc' }}
        />
        <Area
          type="monotone"
          dataKey="costUsd"
          stroke="#2b59c3"
          strokeWidth={1.5}
          fill="url(#costFill)"
          isAnimationActive={false}
          dot={false}
        />
      </AreaChart>
    </ResponsiveContainer>
  );
}
