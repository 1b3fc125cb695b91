/**
 * Turns "something changed" signals into a stream of fresh states for one subscription:
 * at most one refresh in flight; signals during a refresh cause exactly one more refresh after it;
 * a state not yet taken by the consumer is replaced by a newer one (latest state wins).
 */
export interface CoalescingRefresh<T> extends AsyncIterableIterator<T> {
  /** Something changed: refresh (now, or after the refresh in flight). */
  trigger(): void;
  /** Ends the stream at once, even while a `next()` is waiting. */
  return(): Promise<IteratorResult<T>>;
}

/** What a refresh returns when nothing new is to be pushed (the state is the one last delivered). */
export const UNCHANGED: unique symbol = Symbol('unchanged');

export interface CoalescingRefreshOptions<T> {
  /** The current state, or UNCHANGED when there is nothing new to push. */
  refresh: () => Promise<T | typeof UNCHANGED>;
  /** A state after which the stream ends (e.g. access was refused). */
  isFinal?: (state: T) => boolean;
  /** Called once when the stream ends for any reason. */
  onClose?: () => void;
}

export function createCoalescingRefresh<T>(options: CoalescingRefreshOptions<T>): CoalescingRefresh<T> {
  let refreshing = false;
  let dirty = false;
  let closed = false;
  let endAfterDelivery = false;
  let latest: { state: T } | undefined;
  let failure: { error: unknown } | undefined;
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let waitingReject: ((error: unknown) => void) | undefined;

  const close = () => {
    if (closed) return;
    closed = true;
    options.onClose?.();
  };

  const deliver = () => {
    if (!waiting) return;
    const resolve = waiting;
    const reject = waitingReject;
    waiting = undefined;
    waitingReject = undefined;
    if (closed) {
      resolve({ value: undefined, done: true });
    } else if (latest) {
      const { state } = latest;
      latest = undefined;
      resolve({ value: state, done: false });
    } else if (failure) {
      close();
      reject?.(failure.error);
    }
  };

  const loop = async () => {
    refreshing = true;
    try {
      do {
        dirty = false;
        const state = await options.refresh();
        if (closed) return;
        if (state === UNCHANGED) continue;
        latest = { state };
        if (options.isFinal?.(state)) {
          endAfterDelivery = true;
          dirty = false;
        }
        deliver();
      } while (dirty && !closed && !endAfterDelivery);
    } catch (error) {
      failure = { error };
      deliver();
    } finally {
      refreshing = false;
    }
  };

  const iterator: CoalescingRefresh<T> = {
    trigger() {
      if (closed || endAfterDelivery) return;
      if (refreshing) {
        dirty = true;
        return;
      }
      void loop();
    },
    next() {
      if (latest) {
        const { state } = latest;
        latest = undefined;
        return Promise.resolve({ value: state, done: false });
      }
      if (failure) {
        close();
        return Promise.reject(failure.error);
      }
      if (closed || endAfterDelivery) {
        close();
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting = resolve;
        waitingReject = reject;
      });
    },
    // Not an async generator on purpose: return() must settle at once even while a next() waits.
    return() {
      close();
      deliver();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
