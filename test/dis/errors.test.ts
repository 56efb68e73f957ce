import { describe, expect, it } from "vitest";
import {
  DisApiError,
  DisProtocolError,
  DisTransportError,
  describeApiError,
  parseErrorBody,
  redactSecrets,
  type ParsedErrorBody,
} from "../../src/dis/errors";

describe("parseErrorBody", () => {
  it.each<[string, string, ParsedErrorBody]>([
    [
      "DIS business error",
      '{"errorCode":"DIS.4301","message":"Stream does not exist. [test][6332998f]"}',
      { code: "DIS.4301", message: "Stream does not exist. [test][6332998f]", requestId: undefined },
    ],
    [
      "gateway error with request id",
      '{"error_msg":"The throttling threshold has been reached","error_code":"APIGW.0308","request_id":"r-1"}',
      { code: "APIGW.0308", message: "The throttling threshold has been reached", requestId: "r-1" },
    ],
    ["code/message pair", '{"code":"DIS.5000","message":"System error."}', { code: "DIS.5000", message: "System error.", requestId: undefined }],
    [
      "nested error object",
      '{"error":{"code":"APIGW.0101","message":"The API does not exist"}}',
      { code: "APIGW.0101", message: "The API does not exist", requestId: undefined },
    ],
    [
      "error_code wins over errorCode, error_msg over message",
      '{"error_code":"A","errorCode":"B","error_msg":"m1","message":"m2"}',
      { code: "A", message: "m1", requestId: undefined },
    ],
    ["numeric code", '{"code":500,"message":"boom"}', { code: "500", message: "boom", requestId: undefined }],
    ["empty strings are absent", '{"errorCode":"","message":""}', { code: undefined, message: undefined, requestId: undefined }],
    ["empty body", "", {}],
    ["blank body", " \n", {}],
    ["plain text", "Service Unavailable", { message: "Service Unavailable" }],
    ["HTML collapsed to one line", "<html>\n  <body>Bad   Gateway</body>\n</html>", { message: "<html> <body>Bad Gateway</body> </html>" }],
    ["long text cut", "x".repeat(250), { message: `${"x".repeat(200)}…` }],
    ["JSON that is not an object", '["DIS.4301"]', { message: '["DIS.4301"]' }],
    ["JSON string", '"oops"', { message: '"oops"' }],
  ])("%s", (_name, body, expected) => {
    expect(parseErrorBody(body)).toEqual(expected);
  });
});

describe("describeApiError", () => {
  const subject = { projectId: "p1", app: "orders", stream: "clicks", partition: 3, sequenceNumber: "42" };
  it.each<[string | undefined, number, string | undefined, "aksk" | "token", string]>([
    ["DIS.4332", 400, "app not found.", "aksk", "app 'orders' does not exist in project p1"],
    ["DIS.4330", 400, "app already exist.", "aksk", "app 'orders' already exists in project p1"],
    ["DIS.4331", 400, "app is using.", "aksk", "app 'orders' is in use and cannot be deleted"],
    ["DIS.4301", 400, "The stream does not exist.", "aksk", "stream 'clicks' does not exist in project p1"],
    ["DIS.4302", 400, "Partition does not exist.", "aksk", "partition 3 does not exist in stream 'clicks'"],
    ["DIS.4319", 400, "Partition is expired.", "aksk", "partition 3 of stream 'clicks' has expired (removed by a scale-down)"],
    ["DIS.4201", 400, "Invalid partition_id.", "aksk", "DIS rejected the partition id of partition 3"],
    ["DIS.4224", 400, "Sequence_number out of range.", "aksk", "sequence number 42 is outside the range retained by partition 3 of stream 'clicks'"],
    ["DIS.4375", 400, undefined, "aksk", "app 'orders' has not committed a checkpoint on stream 'clicks'"],
    ["DIS.4117", 400, undefined, "aksk", "project id p1 is invalid or belongs to another account"],
    ["DIS.4116", 403, undefined, "aksk", "access denied: the account lacks DIS permission, is restricted or in arrears"],
    ["APIGW.0301", 401, "verify aksk signature fail", "aksk", "signature rejected: check the clock and keys"],
    ["APIGW.0301", 401, "token expires", "token", "token rejected: check that the IAM token is valid, project-scoped and not expired"],
    ["APIGW.0308", 429, undefined, "aksk", "throttled by the API gateway"],
    ["DIS.4303", 400, undefined, "aksk", "throttled by DIS"],
    ["DIS.4305", 400, undefined, "aksk", "throttled by DIS"],
    ["DIS.4200", 400, "Invalid request. [bad field]", "aksk", "Invalid request. [bad field]"],
    [undefined, 502, undefined, "aksk", "unexpected HTTP 502"],
  ])("%s (HTTP %i, %j, %s)", (code, status, apiMessage, mode, expected) => {
    expect(describeApiError({ code, status, apiMessage }, subject, mode)).toBe(expected);
  });

  it("does not invent names it was not given", () => {
    expect(describeApiError({ code: "DIS.4332", status: 400, apiMessage: undefined }, { projectId: "p1" }, "aksk")).toBe(
      "app '?' does not exist in project p1",
    );
  });
});

describe("error messages", () => {
  const fields = {
    operation: "CommitCheckpoint" as const,
    status: 400,
    code: "DIS.4332",
    apiMessage: "app not found.",
    requestId: "req-9",
    retryable: false,
    attempts: 1,
  };

  it("DisApiError says what failed, then code, status and request id", () => {
    const error = new DisApiError(fields, "app 'x' does not exist in project p1");
    expect(error.message).toBe("CommitCheckpoint failed: app 'x' does not exist in project p1 (DIS.4332, HTTP 400, request id req-9)");
    expect(error).toMatchObject({ ...fields, name: "DisApiError" });
    expect(error).toBeInstanceOf(Error);
  });

  it("DisApiError mentions retries and leaves out what it does not know", () => {
    const error = new DisApiError({ ...fields, code: undefined, requestId: undefined, status: 503, retryable: true, attempts: 6 }, "unexpected HTTP 503");
    expect(error.message).toBe("CommitCheckpoint failed: unexpected HTTP 503 (HTTP 503, after 6 attempts)");
  });

  it("DisTransportError", () => {
    const error = new DisTransportError("ShowApp", "connect", 3, "cannot connect to http://127.0.0.1:1 (ECONNREFUSED)");
    expect(error.message).toBe("ShowApp failed: cannot connect to http://127.0.0.1:1 (ECONNREFUSED) (after 3 attempts)");
    expect(error).toMatchObject({ operation: "ShowApp", kind: "connect", attempts: 3, name: "DisTransportError" });
  });

  it("DisProtocolError", () => {
    expect(new DisProtocolError("ListApps", "apps.0.app_id: expected string", "r-2").message).toBe(
      "ListApps failed: unexpected response from DIS: apps.0.app_id: expected string (request id r-2)",
    );
    expect(new DisProtocolError("ListApps", "page 2 is empty").message).toBe("ListApps failed: unexpected response from DIS: page 2 is empty");
  });
});

describe("redactSecrets", () => {
  it.each([
    ["signature fail: x-security-token:ST-123|host:h", ["SK", "ST-123"], "signature fail: x-security-token:[redacted]|host:h"],
    ["SK SK", ["SK"], "[redacted] [redacted]"],
    ["nothing here", ["SECRET"], "nothing here"],
    ["empty secrets are ignored", [""], "empty secrets are ignored"],
    ["SignedHeaders=host, Signature=0a1B9f", [], "SignedHeaders=host, Signature=[redacted]"],
  ])("%j", (text, secrets, expected) => {
    expect(redactSecrets(text, secrets)).toBe(expected);
  });
});
