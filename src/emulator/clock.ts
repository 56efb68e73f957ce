import { performance } from "node:perf_hooks";

/** Epoch milliseconds as the emulator sees them. Everything time-dependent reads this, never `Date.now()`. */
export interface Clock {
  now(): number;
}

/**
 * Wall-clock time that never jumps backwards: the process start time plus a monotonic counter. Retention and
 * cursor expiry must not flicker when the host's clock is adjusted.
 */
export const monotonicTime = (): number => Math.floor(performance.timeOrigin + performance.now());

/** A clock that runs with its source, shifted by an offset the admin surface (and tests) can change. */
export class AdjustableClock implements Clock {
  private offset = 0;

  constructor(private readonly source: () => number = monotonicTime) {}

  now(): number {
    return this.source() + this.offset;
  }

  get offsetMs(): number {
    return this.offset;
  }

  setOffset(offsetMs: number): void {
    this.offset = offsetMs;
  }

  /** Shifts the clock so that it reads `time` now. */
  setTime(time: number): void {
    this.offset = time - this.source();
  }
}
