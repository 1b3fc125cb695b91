import type { AlertState } from './burn-rate';

export type ThrottleAction = 'engage' | 'release';

export interface AlertTransition {
  /** What to tell the tenant's webhook and subscribers; undefined when the state did not change. */
  notify?: { kind: 'firing'; severity: Exclude<AlertState, 'ok'> } | { kind: 'resolved'; previous: Exclude<AlertState, 'ok'> };
  /** The auto-throttle: engaged while a page-level (fast) burn lasts, released when it stops. */
  throttle?: ThrottleAction;
}

/**
 * From the last state to the one just evaluated. The multi-window rule already gives hysteresis
 * (the long window keeps a real burn firing through a brief lull only while the short one still
 * burns), so no extra hold-down is added here.
 */
export function transition(previous: AlertState, next: AlertState): AlertTransition {
  if (previous === next) return {};
  if (next === 'ok') {
    if (previous === 'ok') return {};
    return { notify: { kind: 'resolved', previous }, ...(previous === 'page' ? { throttle: 'release' as const } : {}) };
  }
  const notify = { kind: 'firing', severity: next } as const;
  if (next === 'page') return { notify, throttle: 'engage' };
  // page → ticket: the fast burn stopped while the slow one goes on; the throttle comes off.
  if (previous === 'page') return { notify, throttle: 'release' };
  return { notify };
}
