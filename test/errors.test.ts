/** One rule for every error the project raises: a user's to act on (message alone), or a defect (stack kept). */
import { describe, expect, it } from "vitest";
import { DisApiError, DisCredentialsError, DisEndpointError, DisInputError, DisProtocolError, DisTransportError, SigningInputError } from "../src/dis";
import { describeError, isProjectError, isUserError } from "../src/errors";
import { SettingsError } from "../src/provider/settings";
import { PartialFailure } from "../src/provider/concurrency";
import { InputError } from "../src/provider/inputs";
import { StateFormatError } from "../src/provider/codec";
import { GateMismatchError } from "../src/provider/apply";
import { ReplayError } from "../src/replay";
import { SetupError } from "../src/workspace";
import { UsageError } from "../src/cli/args";

const api = new DisApiError({ operation: "CommitCheckpoint", status: 400, code: "DIS.4301", apiMessage: "no stream", requestId: undefined, retryable: false, attempts: 1 }, "the stream does not exist");

describe("the error vocabulary", () => {
  it.each([
    ["a DIS answer", api, "DIS.4301", true],
    ["a DIS answer without a code", new DisApiError({ operation: "ListApps", status: 502, code: undefined, apiMessage: undefined, requestId: undefined, retryable: true, attempts: 6 }, "bad gateway"), "HTTP.502", true],
    ["a lost connection", new DisTransportError("CommitCheckpoint", "reset", 1, "reset"), "transport-reset", true],
    ["an unexpected body", new DisProtocolError("ListApps", "no apps field"), "protocol", true],
    ["a refused argument", new DisInputError("partition", "bad"), "invalid-argument", true],
    ["missing credentials", new DisCredentialsError("credentials-missing", "no DIS credentials found"), "credentials-missing", true],
    ["a bad endpoint", new DisEndpointError("endpoint-insecure", "http is for loopback only"), "endpoint-insecure", true],
    ["bad settings", new SettingsError("dis-checkpoints:concurrency must be …"), "settings", true],
    ["hand-edited state", new InputError("Checkpoints state", [{ property: "applied", message: "bad" }]), "invalid-inputs", true],
    ["a malformed position list", new StateFormatError("x"), "state-format", true],
    ["state and outputs apart", new GateMismatchError("x"), "gate-mismatch", true],
    ["a replay command's failure", new ReplayError("x"), "replay", true],
    ["set-up", new SetupError("x"), "setup", true],
    ["a command-line mistake", new UsageError("x"), "usage", true],
    ["what the signer is never given", new SigningInputError("x"), "signing-input", false],
  ])("%s", (_what, error, code, userFacing) => {
    expect(isProjectError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(isUserError(error)).toBe(userFacing);
  });

  it("anything else is a defect and keeps its stack trace", () => {
    const defect = new TypeError("x is undefined");
    expect(isUserError(defect)).toBe(false);
    expect(describeError(defect)).toBe(defect.stack);
    expect(describeError(api)).toBe(api.message);
  });

  it("a failure wrapping another takes the inner one's side", () => {
    expect(isUserError(new PartialFailure(api, 1, 4))).toBe(true);
    expect(isUserError(new PartialFailure(new TypeError("bug"), 1, 4))).toBe(false);
  });

  it("is recognised by its brand, not its class: a copy of a class from another module instance still counts", () => {
    const foreign = Object.assign(new Error("from another copy"), { code: "settings", userFacing: true, [Symbol.for("dis-checkpoints.error")]: true });
    expect(isUserError(foreign)).toBe(true);
  });
});
