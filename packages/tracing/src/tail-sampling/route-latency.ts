/**
 * "Slow for its route": a root span is slow when it lasted longer than the route's recent
 * p-quantile (default p99) of root durations. Each route keeps a ring of its last durations and
 * recomputes the threshold every `recomputeEvery` observations (a sort of a few hundred numbers,
 * amortised), so a route's normal changes with its load and its providers. Hand-written: no
 * OpenTelemetry package offers a per-key streaming quantile.
 */
export interface RouteLatencyOptions {
  quantile?: number;
  /** Durations remembered per route. */
  window?: number;
  recomputeEvery?: number;
  /** Below this many observations a route has no threshold yet (nothing is called slow). */
  minObservations?: number;
  /** Routes tracked; beyond it new routes share one bucket (route names are tenant-chosen). */
  maxRoutes?: number;
}

interface RouteWindow {
  durations: number[];
  next: number;
  seen: number;
  threshold: number;
}

const OTHER_ROUTES = '\u0000other';

export class RouteLatency {
  private readonly routes = new Map<string, RouteWindow>();
  private readonly quantile: number;
  private readonly window: number;
  private readonly recomputeEvery: number;
  private readonly minObservations: number;
  private readonly maxRoutes: number;

  constructor(options: RouteLatencyOptions = {}) {
    this.quantile = options.quantile ?? 0.99;
    this.window = options.window ?? 256;
    this.recomputeEvery = options.recomputeEvery ?? 32;
    this.minObservations = options.minObservations ?? 32;
    this.maxRoutes = options.maxRoutes ?? 1024;
  }

  /** Records the duration and says whether it was slow against what the route did before it. */
  observe(route: string, durationMs: number): boolean {
    const window = this.windowOf(route);
    const slow = window.seen >= this.minObservations && durationMs > window.threshold;
    if (window.durations.length < this.window) window.durations.push(durationMs);
    else window.durations[window.next] = durationMs;
    window.next = (window.next + 1) % this.window;
    window.seen += 1;
    if (window.seen % this.recomputeEvery === 0 || window.seen === this.minObservations) window.threshold = quantileOf(window.durations, this.quantile);
    return slow;
  }

  /** The current threshold of a route (ms), or undefined before it has enough observations. */
  thresholdOf(route: string): number | undefined {
    const window = this.routes.get(route) ?? this.routes.get(OTHER_ROUTES);
    return window && window.seen >= this.minObservations ? window.threshold : undefined;
  }

  private windowOf(route: string): RouteWindow {
    let window = this.routes.get(route);
    if (window) return window;
    const key = this.routes.size >= this.maxRoutes ? OTHER_ROUTES : route;
    window = this.routes.get(key);
    if (!window) {
      window = { durations: [], next: 0, seen: 0, threshold: Number.POSITIVE_INFINITY };
      this.routes.set(key, window);
    }
    return window;
  }
}

function quantileOf(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.POSITIVE_INFINITY;
}
