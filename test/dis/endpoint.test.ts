import { describe, expect, it } from "vitest";
import { DisEndpointError, isLoopback, resolveEndpoint, type EndpointOptions } from "../../src/dis/endpoint";
import { caught } from "./helpers/caught";

describe("resolveEndpoint", () => {
  it.each<[EndpointOptions, string]>([
    [{ region: "cn-north-4" }, "https://dis.cn-north-4.myhuaweicloud.com"],
    [{ region: " ap-southeast-1 " }, "https://dis.ap-southeast-1.myhuaweicloud.com"],
    [{ region: "cn-southwest-2" }, "https://dis.cn-southwest-2.myhuaweicloud.com"],
    [{ region: "eu-west-101" }, "https://dis.eu-west-101.myhuaweicloud.com"],
    [{ region: "cn-north-4", endpoint: "http://127.0.0.1:4100" }, "http://127.0.0.1:4100"],
    [{ endpoint: "http://127.0.0.1:4100/" }, "http://127.0.0.1:4100"],
    [{ endpoint: "http://127.8.9.10:1" }, "http://127.8.9.10:1"],
    [{ endpoint: "http://localhost:4100" }, "http://localhost:4100"],
    [{ endpoint: "http://[::1]:4100" }, "http://[::1]:4100"],
    [{ endpoint: "https://dis.example.com" }, "https://dis.example.com"],
    [{ endpoint: "https://DIS.Example.com:8443" }, "https://dis.example.com:8443"],
    [{ endpoint: "http://dis.internal:80", allowInsecureHttp: true }, "http://dis.internal"],
    [{ endpoint: "", region: "cn-east-3" }, "https://dis.cn-east-3.myhuaweicloud.com"],
  ])("%j → %s", (options, origin) => {
    expect(resolveEndpoint(options)).toEqual({ origin });
  });

  it.each<[EndpointOptions, string, string]>([
    [{}, "endpoint-missing", "no DIS endpoint: set a region (e.g. cn-north-4) or an explicit endpoint URL"],
    [{ region: " " }, "endpoint-missing", "no DIS endpoint: set a region (e.g. cn-north-4) or an explicit endpoint URL"],
    ...(["CN-NORTH-4", "cn-north", "cn_north_4", "north-4", "cn-north-4.evil.com/x", "cn--4"].map((region) => [
      { region },
      "region-invalid",
      `invalid region ${JSON.stringify(region)}: expected a Huawei Cloud region id such as cn-north-4 or ap-southeast-1`,
    ]) as Array<[EndpointOptions, string, string]>),
    [
      { endpoint: "127.0.0.1:4100" },
      "endpoint-invalid",
      'invalid DIS endpoint "127.0.0.1:4100": it is not an absolute URL such as https://dis.example.com or http://127.0.0.1:4100',
    ],
    [
      { endpoint: "dis.example.com" },
      "endpoint-invalid",
      'invalid DIS endpoint "dis.example.com": it is not an absolute URL such as https://dis.example.com or http://127.0.0.1:4100',
    ],
    [{ endpoint: "ftp://h" }, "endpoint-invalid", 'invalid DIS endpoint "ftp://h": the scheme must be https or http, not ftp'],
    [{ endpoint: "https://u:p@h" }, "endpoint-invalid", 'invalid DIS endpoint "https://u:p@h": it must not contain credentials'],
    [
      { endpoint: "https://h/v2" },
      "endpoint-invalid",
      'invalid DIS endpoint "https://h/v2": it must be an origin, without a path, query or fragment',
    ],
    [
      { endpoint: "https://h?x=1" },
      "endpoint-invalid",
      'invalid DIS endpoint "https://h?x=1": it must be an origin, without a path, query or fragment',
    ],
    [
      { endpoint: "http://10.0.0.5:4100" },
      "endpoint-insecure",
      "refusing plain http to 10.0.0.5:4100: credentials and checkpoints would travel unencrypted. " +
        "Use https, or set allowInsecureHttp: true to accept this deliberately (plain http is always allowed to loopback)",
    ],
    [
      { endpoint: "http://dis.example.com", allowInsecureHttp: false },
      "endpoint-insecure",
      "refusing plain http to dis.example.com: credentials and checkpoints would travel unencrypted. " +
        "Use https, or set allowInsecureHttp: true to accept this deliberately (plain http is always allowed to loopback)",
    ],
  ])("%j is refused (%s)", (options, code, message) => {
    const thrown = caught(() => resolveEndpoint(options));
    expect(thrown).toBeInstanceOf(DisEndpointError);
    expect(thrown).toMatchObject({ code, message });
  });
});

describe("isLoopback", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.255.0.3", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["[::1]", true],
    ["::1", true],
    ["128.0.0.1", false],
    ["127.example.com", false],
    ["0.0.0.0", false],
    ["[::ffff:7f00:1]", false],
    ["localhost.example.com", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});
