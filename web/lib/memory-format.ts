/** Display rules of the memory page (pure, so they are unit-tested). */

/** 0 B, 999 B, 1.5 KiB, 2.0 MiB: binary units, as the quotas are set. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A session's or memory's text cut to one table line (whole code points, an ellipsis when cut). */
export function preview(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const points = [...flat];
  return points.length <= max ? flat : `${points.slice(0, max - 1).join('')}…`;
}

/** "2 turns · 1 stored response": what a session holds, in words. */
export function describeSession(session: { turns: number; responses: number }): string {
  const turns = `${session.turns} ${session.turns === 1 ? 'turn' : 'turns'}`;
  const responses = `${session.responses} stored ${session.responses === 1 ? 'response' : 'responses'}`;
  return `${turns} · ${responses}`;
}
