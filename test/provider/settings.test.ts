import { describe, expect, it } from "vitest";
import { readSettings, SettingsError } from "../../src/provider/settings";

function settingsFrom(config: Record<string, string>, env: Record<string, string> = {}) {
  return readSettings((key) => config[key], env);
}

describe("readSettings", () => {
  it("applies defaults when nothing is configured", () => {
    expect(settingsFrom({})).toEqual({
      allowInsecureHttp: false,
      concurrency: 16,
      convention: "next",
      activityWindowMs: 10_000,
      settleIntervalMs: 10_000,
      allowLocalBackend: false,
    });
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
        "dis-checkpoints:activityWindow": "2m",
        "dis-checkpoints:settleInterval": "1500ms",
        "dis-checkpoints:allowLocalBackend": "true",
        "dis-checkpoints:acknowledgeFirstApply": "fa-0123456789",
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
      activityWindowMs: 120_000,
      settleIntervalMs: 1500,
      allowLocalBackend: true,
      acknowledgeFirstApply: "fa-0123456789",
    });
  });

  it("takes the first-apply acknowledgement from DIS_CHECKPOINTS_ACKNOWLEDGE_FIRST_APPLY over the stack config", () => {
    expect(settingsFrom({ "dis-checkpoints:acknowledgeFirstApply": "fa-1" }, { DIS_CHECKPOINTS_ACKNOWLEDGE_FIRST_APPLY: "fa-2" }).acknowledgeFirstApply).toBe("fa-2");
  });

  it.each([
    ["0", 0],
    ["10s", 10_000],
    ["250ms", 250],
    ["10m", 600_000],
  ])("reads the duration %s as %i ms", (text, ms) => {
    expect(settingsFrom({ "dis-checkpoints:activityWindow": text }).activityWindowMs).toBe(ms);
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
    ["dis-checkpoints:allowLocalBackend", "1", "dis-checkpoints:allowLocalBackend must be true or false, not '1'"],
    ["dis-checkpoints:activityWindow", "10", "dis-checkpoints:activityWindow must be a duration such as 10s, 1500ms or 2m (at most 10m), or 0, not '10'"],
    ["dis-checkpoints:settleInterval", "11m", "dis-checkpoints:settleInterval must be a duration such as 10s, 1500ms or 2m (at most 10m), or 0, not '11m'"],
    ["dis-checkpoints:settleInterval", "-1s", "dis-checkpoints:settleInterval must be a duration such as 10s, 1500ms or 2m (at most 10m), or 0, not '-1s'"],
  ])("refuses %s = %s", (key, value, message) => {
    expect(() => settingsFrom({ [key]: value })).toThrow(new SettingsError(message));
  });
});
