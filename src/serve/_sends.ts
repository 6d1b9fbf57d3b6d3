/**
 * Counts alert deliveries in flight, so a graceful stop can let a request an
 * output has already started finish instead of cutting it off (which would
 * send that alert again after the restart).
 * @module
 */
import type { Output } from "../alerts/outputs/types.ts";
import { abortableSleep } from "../abortable_sleep.ts";

/** Outputs whose sends are counted. */
export interface TrackedOutputs {
  outputs: Map<string, Output>;
  /** Resolves once no send is in flight, or when `signal` aborts. */
  idle(signal: AbortSignal): Promise<void>;
}

/** Wraps every output so its sends in flight are counted. */
export function trackSends(outputs: ReadonlyMap<string, Output>): TrackedOutputs {
  let inFlight = 0;
  const wrapped = new Map<string, Output>();
  for (const [name, o] of outputs) {
    wrapped.set(name, {
      name: o.name,
      type: o.type,
      timeoutMs: o.timeoutMs,
      async send(alert, signal) {
        inFlight++;
        try {
          await o.send(alert, signal);
        } finally {
          inFlight--;
        }
      },
      close: () => o.close?.(),
    });
  }
  return {
    outputs: wrapped,
    async idle(signal) {
      while (inFlight > 0 && !signal.aborted) await abortableSleep(20, signal);
    },
  };
}
