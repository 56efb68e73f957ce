/**
 * Authentication: the emulator refuses a tampered request, the same signed request replayed more than 15
 * minutes later, and a signature made with the wrong key; the client turns each into "signature rejected:
 * check the clock and keys", never echoing a secret. (The same message through `dis-checkpoints preview`
 * is in secrets.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDisClient, DisApiError, signRequest } from "../../src/dis";
import { startEmulator, type EmulatorHandle } from "../../src/emulator";

const ACCESS_KEY = "AUTHTESTACCESSKEY001";
const SECRET_KEY = "auth-test-secret-do-not-print-01";
const WRONG_SECRET_KEY = "auth-test-wrong-secret-do-not-print";

describe("signature checks", () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startEmulator({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY, seed: { apps: ["billing", "other"] }, behaviour: { lockout: false } });
  });
  afterAll(async () => emulator?.close());

  /** A GET of `apps/<app>`, signed now, as the client signs it. */
  function signedShowApp(app: string, now = new Date()): { url: string; headers: Record<string, string> } {
    const url = `${emulator.url}/v2/${emulator.projectId}/apps/${app}`;
    const headers = signRequest({ method: "GET", url, headers: { "Content-Type": "application/json", "X-Project-Id": emulator.projectId } }, { accessKey: ACCESS_KEY, secretKey: SECRET_KEY }, now);
    return { url, headers };
  }

  async function send(request: { url: string; headers: Record<string, string> }): Promise<{ status: number; body: { error_code?: string; error_msg?: string } }> {
    const response = await fetch(request.url, { headers: request.headers, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json()) as { error_code?: string; error_msg?: string } };
  }

  it("a correctly signed request is accepted (the baseline for the refusals below)", async () => {
    expect((await send(signedShowApp("billing"))).status).toBe(200);
  });

  it("tampered: the signature of apps/billing sent for apps/other is refused", async () => {
    const signed = signedShowApp("billing");
    const tampered = { ...signed, url: signed.url.replace("/apps/billing", "/apps/other") };
    const result = await send(tampered);
    expect(result.status).toBe(401);
    expect(result.body.error_code).toBe("APIGW.0301");
    expect(result.body.error_msg).toMatch(/^Incorrect IAM authentication information: verify aksk signature fail,canonicalRequest:GET\|\/v2\/[0-9a-f]+\/apps\/other\/\|/);
  });

  it("replayed: the identical signed request 16 minutes later is refused as expired", async () => {
    const signed = signedShowApp("billing");
    expect((await send(signed)).status).toBe(200);
    emulator.setClock({ offsetMs: 16 * 60_000 });
    try {
      const replayed = await send(signed);
      expect(replayed.status).toBe(401);
      expect(replayed.body.error_msg).toMatch(/^Incorrect IAM authentication information: signature expired, signature time:\d{8}T\d{6}Z,server time:\d{8}T\d{6}Z$/);
    } finally {
      emulator.setClock({ offsetMs: 0 });
    }
  });

  it.each([
    ["a wrong secret key", { secretKey: WRONG_SECRET_KEY }, {}],
    ["a clock 16 minutes slow", {}, { now: () => new Date(Date.now() - 16 * 60_000) }],
  ])("the client reports %s as 'signature rejected: check the clock and keys', without the key", async (_, credentials, tuning) => {
    const client = createDisClient({
      endpoint: emulator.url,
      projectId: emulator.projectId,
      credentials: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, ...credentials },
      ...tuning,
    });
    try {
      const error = await client.showApp("billing").then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DisApiError);
      expect((error as DisApiError).message).toMatch(/^ShowApp failed: signature rejected: check the clock and keys \(APIGW\.0301, HTTP 401, request id [0-9a-f]{32}\)$/);
      expect(JSON.stringify({ ...(error as DisApiError), message: (error as Error).message })).not.toMatch(new RegExp(`${SECRET_KEY}|${WRONG_SECRET_KEY}`));
    } finally {
      await client.close();
    }
  });
});
