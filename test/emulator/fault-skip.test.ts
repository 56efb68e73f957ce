/** `skip`: a fault that lets k matching requests through first, for "fails after k commits" scenarios. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/emulator";
import { call, startTestEmulator } from "./support/harness";

describe("fault skip", () => {
  let emulator: EmulatorHandle;
  beforeEach(async () => {
    emulator = await startTestEmulator({ seed: { streams: [{ name: "s", partitions: 1, records: { perPartition: 10 } }], apps: ["app"] } });
  });
  afterEach(() => emulator.close());

  const commit = async (sequenceNumber: string) =>
    (await call(emulator, "POST", "checkpoints", {
      body: { app_name: "app", checkpoint_type: "LAST_READ", stream_name: "s", partition_id: "0", sequence_number: sequenceNumber },
    })).status;

  it("lets the first `skip` matching requests through, then applies `count` times", async () => {
    const { id } = emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 503, skip: 2, count: 1 });
    expect([await commit("1"), await commit("2"), await commit("3"), await commit("4")]).toEqual([201, 201, 503, 201]);
    expect(emulator.faults().map((fault) => fault.id)).not.toContain(id);
  });

  it("counts only the requests of its operation", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 503, skip: 1 });
    expect((await call(emulator, "GET", "apps")).status).toBe(200);
    expect([await commit("1"), await commit("2")]).toEqual([201, 503]);
  });

  it("is refused when negative or fractional", () => {
    expect(() => emulator.addFault({ kind: "reset", skip: -1 })).toThrow("skip");
    expect(() => emulator.addFault({ kind: "reset", skip: 1.5 })).toThrow("skip");
  });
});
