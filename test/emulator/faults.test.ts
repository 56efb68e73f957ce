import { performance } from "node:perf_hooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle, EmulatorOptions } from "../../src/emulator";
import { FaultSpecError } from "../../src/emulator/faults";
import { call, disError, startTestEmulator } from "./support/harness";

const partition0 = { ordinal: 0, id: "0" };

describe("fault injection", () => {
  let emulator: EmulatorHandle;
  const start = async (options: EmulatorOptions = {}) => {
    emulator = await startTestEmulator({ seed: { streams: [{ name: "s", partitions: 1, records: { perPartition: 10 } }], apps: ["app"] }, ...options });
  };
  beforeEach(() => start());
  afterEach(() => emulator.close());

  const commit = (sequenceNumber: string) =>
    call(emulator, "POST", "checkpoints", {
      body: { app_name: "app", checkpoint_type: "LAST_READ", stream_name: "s", partition_id: "0", sequence_number: sequenceNumber },
    });
  const showCheckpoint = () => emulator.state.showCheckpoint({ app: "app", stream: "s", partition: partition0 });

  it("status 429 answers with the gateway's throttling body and Retry-After, and changes nothing", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "status", status: 429, retryAfter: 1 });
    const response = await commit("3");
    expect(response.status).toBe(429);
    expect(response.headers["retry-after"]).toBe("1");
    expect(response.json).toEqual({
      error_code: "APIGW.0308",
      error_msg: "The throttling threshold has been reached.",
      request_id: response.headers["x-request-id"],
    });
    expect(showCheckpoint()).toBeUndefined();
  });

  it.each([
    [{ status: 500 }, 500, disError("DIS.5000", "System error.")],
    [{ status: 400, code: "DIS.4303" }, 400, disError("DIS.4303", "Exceeded traffic control limit.")],
    [{ status: 400, code: "DIS.4305", message: "Too many stream requests. [slow down]" }, 400, disError("DIS.4305", "Too many stream requests. [slow down]")],
    [{ status: 400, code: "DIS.4999" }, 400, disError("DIS.4999", "Injected fault.")],
  ])("status %j", async (spec, status, body) => {
    emulator.addFault({ kind: "status", ...spec });
    const response = await commit("3");
    expect(response.status).toBe(status);
    expect(response.json).toEqual(body);
  });

  it("status 503 without a code answers in plain text, like a load balancer", async () => {
    emulator.addFault({ kind: "status", status: 503 });
    const response = await commit("3");
    expect(response.status).toBe(503);
    expect(response.headers["content-type"]).toBe("text/plain");
    expect(response.text).toBe("Service Unavailable");
  });

  it("latency delays the answer and then handles the request normally", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "latency", latencyMs: 150 });
    const started = performance.now();
    expect((await commit("4")).status).toBe(201);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(showCheckpoint()?.sequenceNumber).toBe(4n);
  });

  it("reset destroys the connection before handling", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "reset" });
    await expect(commit("5")).rejects.toMatchObject({ code: "ECONNRESET", message: "read ECONNRESET" });
    expect(showCheckpoint()).toBeUndefined();
    expect(emulator.requests().at(-1)).toMatchObject({ operation: "CommitCheckpoint", status: 0, fault: "fault-1" });
  });

  it("reset after handling loses the response of a commit that did happen", async () => {
    emulator.addFault({ operation: "CommitCheckpoint", kind: "reset", when: "after" });
    await expect(commit("6")).rejects.toMatchObject({ code: "ECONNRESET", message: "read ECONNRESET" });
    expect(showCheckpoint()?.sequenceNumber).toBe(6n);
  });

  it("no-response never answers; the client's timeout ends it and close() does not wait for it", async () => {
    emulator.addFault({ operation: "ListApps", kind: "no-response" });
    await expect(call(emulator, "GET", "apps", { timeoutMs: 200 })).rejects.toMatchObject({ code: "UND_ERR_HEADERS_TIMEOUT", message: "Headers Timeout Error" });
    expect(emulator.requests().at(-1)).toMatchObject({ operation: "ListApps", status: 0, fault: "fault-1" });
    const hanging = call(emulator, "GET", "apps").catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await emulator.close();
    // The emulator's close ends the connection it never answered.
    expect(await hanging).toMatchObject({ name: "SocketError", code: "UND_ERR_SOCKET", message: "other side closed" });
  });

  it("close() does not wait for an injected latency", async () => {
    emulator.addFault({ kind: "latency", latencyMs: 600_000 });
    const slow = commit("1").catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await slow).toMatchObject({ name: "SocketError", code: "UND_ERR_SOCKET", message: "other side closed" });
  });

  it("applies to the named operation only", async () => {
    emulator.addFault({ operation: "ShowCheckpoint", kind: "status", status: 500 });
    expect((await commit("2")).status).toBe(201);
  });

  it("count limits how often a fault applies, then it is gone", async () => {
    const { id } = emulator.addFault({ kind: "status", status: 500, count: 2 });
    expect((await commit("1")).status).toBe(500);
    expect(emulator.faults()).toEqual([{ id, kind: "status", status: 500, count: 2, applied: 1 }]);
    expect((await commit("1")).status).toBe(500);
    expect((await commit("1")).status).toBe(201);
    expect(emulator.faults()).toEqual([]);
  });

  it("probability draws from the injected random source", async () => {
    await emulator.close();
    const draws = [0.1, 0.9, 0.49];
    await start({ random: () => draws.shift() ?? 1 });
    emulator.addFault({ kind: "status", status: 500, probability: 0.5 });
    expect([(await commit("1")).status, (await commit("1")).status, (await commit("1")).status]).toEqual([500, 201, 500]);
  });

  it("the first terminal fault wins, latency faults add up before it", async () => {
    emulator.addFault({ kind: "latency", latencyMs: 1 });
    emulator.addFault({ kind: "status", status: 503, count: 1 });
    emulator.addFault({ kind: "status", status: 500, count: 1 });
    expect((await commit("1")).status).toBe(503);
    expect((await commit("1")).status).toBe(500);
    expect(emulator.faults().map((fault) => [fault.kind, fault.applied])).toEqual([["latency", 2]]);
  });

  it("refuses an invalid spec, naming each problem", () => {
    expect(() => emulator.addFault({ kind: "status" })).toThrow(new FaultSpecError("invalid fault: status: status faults need status (400-599)"));
    expect(() => emulator.addFault({ kind: "latency", latencyMs: -1 })).toThrow(new FaultSpecError("invalid fault: latencyMs: Too small: expected number to be >=0"));
    expect(() => emulator.addFault({ kind: "status", status: 500, operation: "PutCheckpoint" })).toThrow(
      new FaultSpecError(
        'invalid fault: operation: Invalid option: expected one of "CreateStream"|"DeleteStream"|"ListStreams"|"DescribeStream"|"PutRecords"|"GetCursor"|' +
          '"GetRecords"|"CreateApp"|"ListApps"|"ShowApp"|"DeleteApp"|"ShowConsumerState"|"CommitCheckpoint"|"ShowCheckpoint"|"DeleteCheckpoint"',
      ),
    );
    expect(() => emulator.addFault({ kind: "explode" })).toThrow(new FaultSpecError('invalid fault: kind: Invalid option: expected one of "latency"|"status"|"reset"|"no-response"'));
    expect(() => emulator.addFault({ kind: "reset", extra: 1 })).toThrow(new FaultSpecError('invalid fault: fault: Unrecognized key: "extra"'));
  });

  describe("over the admin surface", () => {
    const admin = (method: string, path: string, body?: unknown) =>
      call(emulator, method, `/_emulator${path}`, { auth: "none", ...(body === undefined ? {} : { body }) });

    it("adds (201 {id}), lists, removes one (204) and clears (204)", async () => {
      const added = await admin("POST", "/faults", { operation: "CommitCheckpoint", kind: "status", status: 429, code: "APIGW.0308", retryAfter: 1 });
      expect(added.status).toBe(201);
      expect(added.json).toEqual({ id: "fault-1" });
      await admin("POST", "/faults", { kind: "latency", latencyMs: 5 });
      expect((await admin("GET", "/faults")).json.faults.map((fault: { id: string }) => fault.id)).toEqual(["fault-1", "fault-2"]);
      expect((await commit("1")).status).toBe(429);
      expect((await admin("DELETE", "/faults/fault-1")).status).toBe(204);
      expect((await admin("DELETE", "/faults/fault-1")).json).toEqual({ error: "no fault with id fault-1" });
      expect((await admin("DELETE", "/faults")).status).toBe(204);
      expect(emulator.faults()).toEqual([]);
    });

    it("answers an invalid spec with 400 and the problem", async () => {
      const response = await admin("POST", "/faults", { kind: "status", status: 700 });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({ error: "invalid fault: status: Too big: expected number to be <=599" });
      // The parser's own words, which differ between Node.js versions.
      const syntaxError = (() => {
        try {
          return JSON.parse("{");
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect((await admin("POST", "/faults", "{")).json).toEqual({ error: `the body must be JSON: ${syntaxError}` });
    });
  });
});
