import { describe, expect, it } from "vitest";
import { readSettings, SettingsError } from "../../src/provider/settings";

function settingsFrom(config: Record<string, string>, env: Record<string, string> = {}) {
  return readSettings((key) => config[key], env);
}

describe("readSettings", () => {
  it("applies defaults when nothing is configured", () => {
    expect(settingsFrom({})).toEqual({ allowInsecureHttp: false, concurrency: 16, convention: "next" });
  });

  it("reads every key of the dis-checkpoints namespace, trimmed", () => {
    expect(
      settingsFrom({
        "dis-checkpoints:region": " cn-north-4 ",
        "dis-checkpoints:projectId": "0123456789abcdef0123456789abcdef",
        "dis-checkpoints:endpoint": "https://dis.example.test",
        "dis-checkpoints:allowInsecureHttp": "true",
        "dis-checkpoints:accessKey": "AK",
        "dis-checkpoints:secretKey": "SK",
        "dis-checkpoints:securityToken": "ST",
        "dis-checkpoints:authToken": "TOKEN",
        "dis-checkpoints:concurrency": "32",
        "dis-checkpoints:convention": "last",
        "other:region": "ignored",
      }),
    ).toEqual({
      region: "cn-north-4",
      projectId: "0123456789abcdef0123456789abcdef",
      endpoint: "https://dis.example.test",
      allowInsecureHttp: true,
      accessKey: "AK",
      secretKey: "SK",
      securityToken: "ST",
      authToken: "TOKEN",
      concurrency: 32,
      convention: "last",
    });
  });

  it("lets DIS_CHECKPOINTS_ENDPOINT override the configured endpoint", () => {
    expect(settingsFrom({ "dis-checkpoints:endpoint": "https://a.test" }, { DIS_CHECKPOINTS_ENDPOINT: "http://127.0.0.1:9" }).endpoint).toBe(
      "http://127.0.0.1:9",
    );
  });

  it.each([
    ["dis-checkpoints:concurrency", "0", "dis-checkpoints:concurrency must be an integer from 1 to 256, not '0'"],
    ["dis-checkpoints:concurrency", "2.5", "dis-checkpoints:concurrency must be an integer from 1 to 256, not '2.5'"],
    ["dis-checkpoints:concurrency", "257", "dis-checkpoints:concurrency must be an integer from 1 to 256, not '257'"],
    ["dis-checkpoints:convention", "first", "dis-checkpoints:convention must be 'next' or 'last', not 'first'"],
    ["dis-checkpoints:allowInsecureHttp", "yes", "dis-checkpoints:allowInsecureHttp must be true or false, not 'yes'"],
  ])("refuses %s = %s", (key, value, message) => {
    expect(() => settingsFrom({ [key]: value })).toThrow(new SettingsError(message));
  });
});
