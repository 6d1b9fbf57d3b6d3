/**
 * A counting semaphore: at most `limit` objects are processed at once across
 * every integration, whatever the number of queues and messages.
 * @module
 */

/** Hands out up to `limit` slots; waiters are served first come, first served. */
export class Limiter {
  #active = 0;
  #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Slots in use. */
  get active(): number {
    return this.#active;
  }

  /** Runs `fn` once a slot is free and frees the slot when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so #active stays the same.
      if (next) next();
      else this.#active--;
    }
  }
}
