import { describe, expect, it } from 'vitest';
import { transition } from './alert-transition';

describe('alert transitions', () => {
  it('is silent while the state holds', () => {
    for (const state of ['ok', 'ticket', 'page'] as const) expect(transition(state, state)).toEqual({});
  });

  it('engages the throttle on a page and releases it when the fast burn stops', () => {
    expect(transition('ok', 'page')).toEqual({ notify: { kind: 'firing', severity: 'page' }, throttle: 'engage' });
    expect(transition('ticket', 'page')).toEqual({ notify: { kind: 'firing', severity: 'page' }, throttle: 'engage' });
    expect(transition('page', 'ok')).toEqual({ notify: { kind: 'resolved', previous: 'page' }, throttle: 'release' });
    expect(transition('page', 'ticket')).toEqual({ notify: { kind: 'firing', severity: 'ticket' }, throttle: 'release' });
  });

  it('never throttles for a ticket', () => {
    expect(transition('ok', 'ticket')).toEqual({ notify: { kind: 'firing', severity: 'ticket' } });
    expect(transition('ticket', 'ok')).toEqual({ notify: { kind: 'resolved', previous: 'ticket' } });
  });
});
