'use client';

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAxisUsd, formatUsd } from '../../../../lib/cost-format';
import { formatAxisTime, formatTimestamp } from '../../../../lib/display';
import { formatMs, formatPercent } from '../../../../lib/request-log-format';
import type { LatencyGroup, SpendGroup } from '../../../../lib/request-log-operations';

const AXIS = { fontSize: 11, fill: '#5d6675' };
const TOOLTIP_STYLE = { fontSize: 12, borderRadius: 6, borderColor: '#cfd4dc' };
export const SERIES_COLORS = ['#2b59c3', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#0b7285'];

/** Requests refused before they named a route or model are grouped under the empty key. */
function seriesName(key: string): string {
  return key === '' ? 'refused early' : key;
}


/** p50/p95/p99 over time for one group; gaps (no answered request in a bucket) stay gaps. */
export function LatencyChart({ group, long }: { group: LatencyGroup; long: boolean }) {
  const data = group.series.map((point) => ({ label: formatTimestamp(point.bucketStart), p50: point.p50Ms, p95: point.p95Ms, p99: point.p99Ms }));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} margin={{ top: 8, right: 24, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="#e2e5ea" strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tickFormatter={(label: string) => formatAxisTime(label, long)} tick={AXIS} minTickGap={28} tickLine={false} axisLine={{ stroke: '#cfd4dc' }} />
        <YAxis tickFormatter={(v: number) => formatMs(v)} tick={AXIS} width={64} tickLine={false} axisLine={false} />
        <Tooltip formatter={(value, name) => [formatMs(typeof value === 'number' ? value : null), String(name)]} contentStyle={TOOLTIP_STYLE} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {/* Dots: a bucket between two empty ones has no line segment, and must still show. */}
        <Line type="monotone" dataKey="p50" stroke="#2b8a3e" strokeWidth={1.5} dot={{ r: 2.5 }} isAnimationActive={false} connectNulls={false} />
        <Line type="monotone" dataKey="p95" stroke="#e67700" strokeWidth={1.5} dot={{ r: 2.5 }} isAnimationActive={false} connectNulls={false} />
        <Line type="monotone" dataKey="p99" stroke="#c92a2a" strokeWidth={1.5} dot={{ r: 2.5 }} isAnimationActive={false} connectNulls={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

/** Error rate (failed after a provider was asked) per group over time, one line per group. */
export function ErrorRateChart({ groups, long }: { groups: LatencyGroup[]; long: boolean }) {
  const shown = groups.slice(0, SERIES_COLORS.length);
  const first = shown[0];
  const data = (first?.series ?? []).map((point, i) => {
    const row: Record<string, string | number | null> = { label: formatTimestamp(point.bucketStart) };
    for (const group of shown) {
      const p = group.series[i];
      row[seriesName(group.key)] = p && p.requests > 0 ? p.errorRate + p.refusedRate : null;
    }
    return row;
  });
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} margin={{ top: 8, right: 24, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="#e2e5ea" strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tickFormatter={(label: string) => formatAxisTime(label, long)} tick={AXIS} minTickGap={28} tickLine={false} axisLine={{ stroke: '#cfd4dc' }} />
        <YAxis tickFormatter={(v: number) => `${Math.round(v * 100)}%`} tick={AXIS} width={44} tickLine={false} axisLine={false} domain={[0, 1]} />
        <Tooltip formatter={(value, name) => [formatPercent(typeof value === 'number' ? value : 0), String(name)]} contentStyle={TOOLTIP_STYLE} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {shown.map((group, i) => (
          <Line key={group.key} type="monotone" dataKey={seriesName(group.key)} stroke={SERIES_COLORS[i]} strokeWidth={1.5} dot={{ r: 2.5 }} isAnimationActive={false} connectNulls={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

/** Spend per group, largest first, as horizontal bars. */
export function SpendBars({ groups, labelOf }: { groups: SpendGroup[]; labelOf: (group: SpendGroup) => string }) {
  const data = groups.slice(0, 10).map((group) => ({ label: labelOf(group), costUsd: group.costUsd, requests: group.requests }));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="#e2e5ea" strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tickFormatter={formatAxisUsd} tick={AXIS} tickLine={false} axisLine={{ stroke: '#cfd4dc' }} />
        <YAxis type="category" dataKey="label" tick={AXIS} width={120} tickLine={false} axisLine={false} />
        <Tooltip formatter={(value) => [formatUsd(typeof value === 'number' ? value : Number(value)), 'spend']} contentStyle={TOOLTIP_STYLE} />
        <Bar dataKey="costUsd" fill="#2b59c3" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
