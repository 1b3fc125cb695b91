'use client';

import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { IntervalPoint } from './use-live-experiments';

/** The confidence sequence (challenger − champion) over samples: the band narrows; it excluding 0 is the decision. */
export function IntervalChart({ points }: { points: IntervalPoint[] }) {
  const data = points.map((point) => ({ samples: point.samples, band: [point.lower, point.upper] as [number, number], estimate: point.estimate }));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="#e2e5ea" strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="samples" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11, fill: '#5d6675' }} tickLine={false} />
        <YAxis domain={[(min: number) => Math.min(min, 0), (max: number) => Math.max(max, 0)]} tick={{ fontSize: 11, fill: '#5d6675' }} width={72} tickLine={false} axisLine={false} tickFormatter={(value: number) => value.toPrecision(3)} />
        <Tooltip contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#cfd4dc' }} labelFormatter={(label) => `${String(label)} samples per arm`} />
        <ReferenceLine y={0} stroke="#8a93a3" strokeDasharray="4 4" />
        <Area dataKey="band" stroke="#2b59c3" strokeOpacity={0.4} fill="#2b59c3" fillOpacity={0.18} isAnimationActive={false} name="95% confidence sequence" />
        <Line dataKey="estimate" stroke="#2b59c3" strokeWidth={1.5} dot={false} isAnimationActive={false} name="estimate" />
      </ComposedChart>
    </ResponsiveContainer>
  );
}
