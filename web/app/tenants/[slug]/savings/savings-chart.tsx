'use client';

import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAxisUsd, formatUsd } from '../../../../lib/cost-format';
import { formatAxisTime, formatTimestamp } from '../../../../lib/display';
import type { RouteSavings } from '../../../../lib/savings-operations';

const COLORS = ['#2b59c3', '#1e8a5a', '#c0392b', '#8e44ad', '#d68910', '#138d90'];

/** savings_pct of each route over the optimizer's runs (one line per route). */
export function SavingsHistoryChart({ history }: { history: RouteSavings[] }) {
  const { rows, routes } = useMemo(() => {
    const routes = [...new Set(history.map((row) => row.route))].sort();
    const byRun = new Map<string, Record<string, number | string>>();
    for (const row of history) {
      const label = formatTimestamp(row.computedAt);
      const entry = byRun.get(label) ?? { label };
      entry[row.route] = Number(row.savingsPct.toFixed(2));
      byRun.set(label, entry);
    }
    return { rows: [...byRun.values()], routes };
  }, [history]);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="#e2e5ea" strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tickFormatter={(label: string) => formatAxisTime(label, true)} tick={{ fontSize: 11, fill: '#5d6675' }} minTickGap={28} tickLine={false} />
        <YAxis tickFormatter={(value: number) => `${value}%`} tick={{ fontSize: 11, fill: '#5d6675' }} width={64} tickLine={false} axisLine={false} />
        <Tooltip contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#cfd4dc' }} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {routes.map((route, i) => (
          <Line key={route} type="monotone" dataKey={route} stroke={COLORS[i % COLORS.length]} strokeWidth={1.8} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

/** What each route cost against what its baseline would have (newest run). */
export function SavingsByRouteChart({ routes }: { routes: RouteSavings[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={routes} margin={{ top: 8, right: 12, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="#e2e5ea" strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="route" tick={{ fontSize: 11, fill: '#5d6675' }} tickLine={false} />
        <YAxis tickFormatter={formatAxisUsd} tick={{ fontSize: 11, fill: '#5d6675' }} width={76} tickLine={false} axisLine={false} />
        <Tooltip formatter={(value) => formatUsd(typeof value === 'number' ? value : Number(value))} contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#cfd4dc' }} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="baselineCostUsd" name="baseline" fill="#cfd4dc" isAnimationActive={false} />
        <Bar dataKey="actualCostUsd" name="actual" fill="#2b59c3" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
