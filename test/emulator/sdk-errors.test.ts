import { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials";
import { ClientRequestException } from "@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException";
import { HcClient } from "@huaweicloud/huaweicloud-sdk-core/HcClient";
import { DefaultHttpClient } from "@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient";
import { LogLevel, type Logger } from "@huaweicloud/huaweicloud-sdk-core/logger";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../src/emulator";

/**
 * The official Node SDK core reads a failed call in `HcClient.sendRequest`: `DefaultHttpClient` turns the
 * axios error into `{data, status, requestId}` and `ExceptionUtil.generalException` builds the exception from
 * `data.error.code ?? data.error_code` and `data.error.message ?? data.error_msg ?? <axios message>`. These
 * tests send real CommitCheckpoint calls through that whole stack (its own signer included) to the emulator.
 * The emulator runs on real time: the SDK signs with the wall clock.
 */

/** The SDK logs every failed call at ERROR level; the tests assert on the exceptions instead. */
const SILENT: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

describe("the official Node SDK core reads the emulator's DIS errors", () => {
  let emulator: EmulatorHandle;
  afterEach(() => emulator.close());

  const start = (options: EmulatorOptions = {}) =>
    startEmulator({ seed: { streams: [{ name: "orders", partitions: 2 }], apps: ["billing"] }, ...options });

  /** CommitCheckpoint through HcClient, as a generated DIS client would send it; resolves with what it threw. */
  async function commitThroughSdk(body: Record<string, string>): Promise<unknown> {
    const credentials = new BasicCredentials().withAk(emulator.accessKey).withSk(emulator.secretKey).withProjectId(emulator.projectId);
    const client = new HcClient(new DefaultHttpClient({ logger: SILENT }, [emulator.url]))
      .withEndpoints([emulator.url])
      .withCredential(credentials);
    return client
      .sendRequest({
        method: "POST",
        url: "/v2/{project_id}/checkpoints",
        contentType: "application/json",
        queryParams: {},
        pathParams: {},
        headers: {},
        data: { checkpoint_type: "LAST_READ", app_name: "billing", stream_name: "orders", partition_id: "0", sequence_number: "0", ...body },
      })
      .then(
        (response) => ({ resolved: response }),
        (error: unknown) => error,
      );
  }

  const extracted = (error: unknown) => {
    expect(error).toBeInstanceOf(ClientRequestException);
    const { httpStatusCode, errorCode, errorMsg, requestId } = error as ClientRequestException;
    return { httpStatusCode, errorCode, errorMsg, requestId };
  };

  it("succeeds through the SDK's own signer (the premise of the cases below)", async () => {
    emulator = await start();
    expect(await commitThroughSdk({})).toEqual({ resolved: { httpStatusCode: 201 } });
    expect(emulator.requests().map((entry) => [entry.operation, entry.status])).toEqual([["CommitCheckpoint", 201]]);
  });

  it.each([
    ["an unknown stream", { stream_name: "nope" }, "DIS.4301", "The stream does not exist. [nope]"],
    ["an unknown app", { app_name: "nobody" }, "DIS.4332", "app not found. [nobody]"],
    ["an unknown partition", { partition_id: "shardId-0000000009" }, "DIS.4302", "Partition does not exist. [orders][shardId-0000000009]"],
    ["an out-of-range sequence number", { sequence_number: "5" }, "DIS.4224", "Sequence_number out of range. [orders][0][5 is outside [0 : 0]]"],
  ])("%s: the error code and message of the body", async (_situation, body, code, message) => {
    emulator = await start();
    const error = await commitThroughSdk(body);
    expect(extracted(error)).toEqual({
      httpStatusCode: 400,
      errorCode: code,
      errorMsg: message,
      requestId: emulator.requests().at(-1)?.requestId,
    });
  });

  it("with disErrorKeys 'documented' the SDK finds no error code and only axios's message", async () => {
    emulator = await start({ behaviour: { disErrorKeys: "documented" } });
    expect(extracted(await commitThroughSdk({ stream_name: "nope" }))).toEqual({
      httpStatusCode: 400,
      errorCode: undefined,
      errorMsg: "Request failed with status code 400",
      requestId: emulator.requests().at(-1)?.requestId,
    });
  });
});
