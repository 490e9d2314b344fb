/**
 * Turns to send, per push service: a lane per origin with a bound on pushes in flight and on
 * pushes waiting, and one push at a time per subscription. A push service that hangs for some
 * subscriptions holds one slot per hanging subscription, not the whole lane, so a push to
 * another subscription on the same service goes out at once; pushes to one subscription go out
 * in the order they were sent (a "closed" push never overtakes the request it replaces).
 */
export interface PushLanes {
  /**
   * Wait for a turn to send to `endpoint`, until `deadline` (performance.now() time). Gives a
   * `release` to call when done and how long the push waited, or why it got no turn.
   */
  turn(endpoint: URL, deadline: number): Promise<{ release(): void; waitedMs: number } | { refused: string }>;
  /** Every waiting push is refused, and later ones too. */
  close(): void;
}

export interface PushLaneLimits {
  /** Pushes in flight to one push-service origin at a time. */
  inFlightPerOrigin: number;
  /** Pushes waiting for a turn on one origin; beyond this a push is refused at once. */
  waitingPerOrigin: number;
}

interface Waiter {
  subscription: string;
  since: number;
  timer: NodeJS.Timeout;
  resolve(result: { release(): void; waitedMs: number } | { refused: string }): void;
}

interface Lane {
  inFlight: number;
  /** Subscriptions with a push in flight. */
  busy: Set<string>;
  waiting: Waiter[];
}

export function createPushLanes(limits: PushLaneLimits): PushLanes {
  const lanes = new Map<string, Lane>();
  let closed = false;

  const start = (origin: string, lane: Lane, subscription: string) => {
    lane.inFlight++;
    lane.busy.add(subscription);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.inFlight--;
      lane.busy.delete(subscription);
      pump(lane, origin);
      if (lane.inFlight === 0 && lane.waiting.length === 0) lanes.delete(origin);
    };
  };

  /** Give freed slots to the longest-waiting pushes whose subscription is not busy. */
  function pump(lane: Lane, origin: string): void {
    for (let i = 0; i < lane.waiting.length && lane.inFlight < limits.inFlightPerOrigin; ) {
      const waiter = lane.waiting[i];
      if (lane.busy.has(waiter.subscription)) {
        i++;
        continue;
      }
      lane.waiting.splice(i, 1);
      clearTimeout(waiter.timer);
      waiter.resolve({ release: start(origin, lane, waiter.subscription), waitedMs: performance.now() - waiter.since });
    }
  }

  return {
    turn(endpoint, deadline) {
      if (closed) return Promise.resolve({ refused: 'push sender closed' });
      const origin = endpoint.origin;
      const subscription = endpoint.href;
      let lane = lanes.get(origin);
      if (!lane) {
        lane = { inFlight: 0, busy: new Set(), waiting: [] };
        lanes.set(origin, lane);
      }
      if (lane.inFlight < limits.inFlightPerOrigin && !lane.busy.has(subscription)) {
        return Promise.resolve({ release: start(origin, lane, subscription), waitedMs: 0 });
      }
      if (lane.waiting.length >= limits.waitingPerOrigin) {
        return Promise.resolve({ refused: `${lane.waiting.length} pushes already wait for this push service` });
      }
      const waitFor = deadline - performance.now();
      if (waitFor <= 0) return Promise.resolve({ refused: 'no turn before the deadline' });
      const current = lane;
      return new Promise((resolve) => {
        const waiter: Waiter = {
          subscription,
          since: performance.now(),
          resolve,
          timer: setTimeout(() => {
            current.waiting.splice(current.waiting.indexOf(waiter), 1);
            if (current.inFlight === 0 && current.waiting.length === 0) lanes.delete(origin);
            resolve({ refused: `no turn within ${Math.round(waitFor)} ms: the push service is slow or hangs` });
          }, waitFor),
        };
        current.waiting.push(waiter);
      });
    },
    close() {
      closed = true;
      for (const lane of lanes.values()) {
        for (const waiter of lane.waiting.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.resolve({ refused: 'push sender closed' });
        }
      }
    },
  };
}
