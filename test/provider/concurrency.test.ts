import { describe, expect, it } from "vitest";
import { PartialFailure, runBounded } from "../../src/provider/concurrency";

describe("runBounded", () => {
  it("never has more than the limit in flight and runs every item", async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await runBounded([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(item);
      inFlight--;
    });
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("stops starting tasks after a failure, lets the ones in flight finish, and counts them", async () => {
    const started: number[] = [];
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const error = await runBounded([1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      if (item === 1) return slow;
      releaseSlow();
      throw new Error("commit refused");
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialFailure);
    expect((error as PartialFailure).message).toBe("commit refused");
    expect((error as PartialFailure).completed).toBe(1);
    expect((error as PartialFailure).total).toBe(4);
    expect(started).toEqual([1, 2]);
  });

  it("accepts an empty list", async () => {
    await expect(runBounded([], 4, async () => undefined)).resolves.toBeUndefined();
  });
});
