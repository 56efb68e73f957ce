import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  AccessKeyCredentials,
  DisCredentialsError,
  resolveCredentials,
  TokenCredentials,
  type CredentialOptions,
} from "../../src/dis/credentials";
import { caught } from "./helpers/caught";

type Expected =
  | { kind: "aksk"; accessKey: string; secretKey: string; securityToken?: string; source: string }
  | { kind: "token"; token: string; source: string };

function view(credentials: AccessKeyCredentials | TokenCredentials): Expected {
  return credentials.kind === "token"
    ? { kind: "token", token: credentials.token, source: credentials.source }
    : {
        kind: "aksk",
        accessKey: credentials.accessKey,
        secretKey: credentials.secretKey,
        ...(credentials.securityToken === undefined ? {} : { securityToken: credentials.securityToken }),
        source: credentials.source,
      };
}

describe("resolveCredentials: which source wins", () => {
  const cases: Array<[string, CredentialOptions, Record<string, string>, Expected]> = [
    [
      "explicit AK/SK before the environment",
      { accessKey: "AK1", secretKey: "SK1" },
      { HUAWEICLOUD_SDK_AK: "AK2", HUAWEICLOUD_SDK_SK: "SK2" },
      { kind: "aksk", accessKey: "AK1", secretKey: "SK1", source: "the options (accessKey)" },
    ],
    [
      "explicit temporary AK/SK",
      { accessKey: "AK1", secretKey: "SK1", securityToken: "ST1" },
      {},
      { kind: "aksk", accessKey: "AK1", secretKey: "SK1", securityToken: "ST1", source: "the options (accessKey)" },
    ],
    [
      "explicit AK/SK before an explicit token",
      { accessKey: "AK1", secretKey: "SK1", authToken: "T1" },
      {},
      { kind: "aksk", accessKey: "AK1", secretKey: "SK1", source: "the options (accessKey)" },
    ],
    [
      "explicit token before environment AK/SK",
      { authToken: "T1" },
      { HUAWEICLOUD_SDK_AK: "AK2", HUAWEICLOUD_SDK_SK: "SK2" },
      { kind: "token", token: "T1", source: "options (authToken)" },
    ],
    [
      "HUAWEICLOUD_SDK_* pair with its security token",
      {},
      { HUAWEICLOUD_SDK_AK: "AK2", HUAWEICLOUD_SDK_SK: "SK2", HUAWEICLOUD_SDK_SECURITY_TOKEN: "ST2" },
      { kind: "aksk", accessKey: "AK2", secretKey: "SK2", securityToken: "ST2", source: "the environment (HUAWEICLOUD_SDK_AK)" },
    ],
    [
      "HUAWEICLOUD_SDK_* before CLOUD_SDK_*",
      {},
      { HUAWEICLOUD_SDK_AK: "AK2", HUAWEICLOUD_SDK_SK: "SK2", CLOUD_SDK_AK: "AK3", CLOUD_SDK_SK: "SK3" },
      { kind: "aksk", accessKey: "AK2", secretKey: "SK2", source: "the environment (HUAWEICLOUD_SDK_AK)" },
    ],
    [
      "CLOUD_SDK_* pair",
      {},
      { CLOUD_SDK_AK: "AK3", CLOUD_SDK_SK: "SK3" },
      { kind: "aksk", accessKey: "AK3", secretKey: "SK3", source: "the environment (CLOUD_SDK_AK)" },
    ],
    [
      "environment AK/SK before the environment token",
      {},
      { CLOUD_SDK_AK: "AK3", CLOUD_SDK_SK: "SK3", HUAWEICLOUD_SDK_AUTH_TOKEN: "T2" },
      { kind: "aksk", accessKey: "AK3", secretKey: "SK3", source: "the environment (CLOUD_SDK_AK)" },
    ],
    [
      "the environment token",
      {},
      { HUAWEICLOUD_SDK_AUTH_TOKEN: "T2" },
      { kind: "token", token: "T2", source: "environment (HUAWEICLOUD_SDK_AUTH_TOKEN)" },
    ],
    [
      "empty and blank values count as unset; values are trimmed",
      { accessKey: "", secretKey: "  " },
      { HUAWEICLOUD_SDK_AK: "", HUAWEICLOUD_SDK_SK: "", CLOUD_SDK_AK: " AK3 ", CLOUD_SDK_SK: "SK3\n" },
      { kind: "aksk", accessKey: "AK3", secretKey: "SK3", source: "the environment (CLOUD_SDK_AK)" },
    ],
  ];

  it.each(cases)("%s", (_name, explicit, env, expected) => {
    expect(view(resolveCredentials(explicit, env))).toEqual(expected);
  });
});

describe("resolveCredentials: errors name what to set and no value", () => {
  const missing =
    "no DIS credentials found: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (plus HUAWEICLOUD_SDK_SECURITY_TOKEN for " +
    "temporary credentials), or HUAWEICLOUD_SDK_AUTH_TOKEN for an IAM token, or configure accessKey and secretKey explicitly";
  const cases: Array<[string, CredentialOptions, Record<string, string>, string, string]> = [
    ["nothing anywhere", {}, {}, "credentials-missing", missing],
    ["explicit AK without SK", { accessKey: "AK1" }, {}, "credentials-incomplete", "accessKey is set but secretKey is missing in the options"],
    ["explicit SK without AK", { secretKey: "SK1" }, {}, "credentials-incomplete", "secretKey is set but accessKey is missing in the options"],
    [
      "explicit half pair is not completed from the environment",
      { accessKey: "AK1" },
      { HUAWEICLOUD_SDK_AK: "AK2", HUAWEICLOUD_SDK_SK: "SK2" },
      "credentials-incomplete",
      "accessKey is set but secretKey is missing in the options",
    ],
    [
      "explicit security token alone",
      { securityToken: "ST1" },
      {},
      "credentials-incomplete",
      "securityToken is set in the options but accessKey and secretKey are not: set both with it",
    ],
    [
      "HUAWEICLOUD_SDK_AK without HUAWEICLOUD_SDK_SK",
      {},
      { HUAWEICLOUD_SDK_AK: "AK2", CLOUD_SDK_AK: "AK3", CLOUD_SDK_SK: "SK3" },
      "credentials-incomplete",
      "HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is missing in the environment",
    ],
    [
      "CLOUD_SDK_SK without CLOUD_SDK_AK",
      {},
      { CLOUD_SDK_SK: "SK3" },
      "credentials-incomplete",
      "CLOUD_SDK_SK is set but CLOUD_SDK_AK is missing in the environment",
    ],
    [
      "security token without a pair",
      {},
      { HUAWEICLOUD_SDK_SECURITY_TOKEN: "ST2", HUAWEICLOUD_SDK_AUTH_TOKEN: "T2" },
      "credentials-incomplete",
      "HUAWEICLOUD_SDK_SECURITY_TOKEN is set but HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not: temporary credentials need all three",
    ],
  ];

  it.each(cases)("%s", (_name, explicit, env, code, message) => {
    const thrown = caught(() => resolveCredentials(explicit, env));
    expect(thrown).toBeInstanceOf(DisCredentialsError);
    expect(thrown).toMatchObject({ code, message });
    for (const secret of ["SK1", "SK2", "SK3", "ST1", "ST2", "T2"]) expect(thrown.message).not.toContain(secret);
  });
});

describe("credentials objects never reveal secrets", () => {
  const aksk = new AccessKeyCredentials("AK-PUBLIC", "SECRET-KEY-VALUE", "SECURITY-TOKEN-VALUE", "the options (accessKey)");
  const token = new TokenCredentials("IAM-TOKEN-VALUE", "environment (HUAWEICLOUD_SDK_AUTH_TOKEN)");
  const secrets = ["SECRET-KEY-VALUE", "SECURITY-TOKEN-VALUE", "IAM-TOKEN-VALUE"];

  it.each([
    ["String()", (value: object) => String(value)],
    ["template literal", (value: object) => `${value as { toString(): string }}`],
    ["JSON.stringify", (value: object) => JSON.stringify(value)],
    ["util.inspect", (value: object) => inspect(value, { showHidden: true, depth: 5 })],
    ["spread then JSON", (value: object) => JSON.stringify({ ...value })],
    ["Object.entries", (value: object) => JSON.stringify(Object.entries(value))],
    ["inside an error cause", (value: object) => inspect(new Error("x", { cause: value }))],
  ])("%s", (_name, show) => {
    for (const credentials of [aksk, token]) {
      const text = show(credentials);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it("says what they are without the secret", () => {
    expect(String(aksk)).toBe("AccessKeyCredentials(AK-PUBLIC, secret key [redacted], temporary, from the options (accessKey))");
    expect(JSON.stringify(token)).toBe('{"kind":"token","token":"[redacted]","source":"environment (HUAWEICLOUD_SDK_AUTH_TOKEN)"}');
  });

  it("still hands the secrets to the code that signs", () => {
    expect([aksk.secretKey, aksk.securityToken, token.token]).toEqual(secrets);
    expect(aksk.secrets()).toEqual(["SECRET-KEY-VALUE", "SECURITY-TOKEN-VALUE"]);
  });
});
