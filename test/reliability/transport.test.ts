/**
 * Transport security through the CLI: HTTPS with certificate verification against a TLS emulator whose
 * certificate comes from a throw-away CA made here with openssl. Without the CA the run is refused with a
 * clear error; with it (NODE_EXTRA_CA_CERTS) the commits go through. Plain HTTP to a host other than loopback
 * is refused before any connection.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STACK, STACK_TRACE, startWorld, writes, type World } from "../support/world";

const DECLARATION = `version: 1\napp: billing\nstreams:\n  orders:\n    partitions:\n      0: "5"\n`;

/** A CA, and a certificate for 127.0.0.1 signed by it. */
function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe", timeout: 30_000 });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ecKey, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=dis-checkpoints test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
  openssl("req", ...ecKey, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  fs.writeFileSync(path.join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
  const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
  return { ca: path.join(dir, "ca.pem"), key: read("server.key"), cert: read("server.pem") };
}

describe("HTTPS with certificate verification; plain HTTP refused off loopback", () => {
  let world: World;
  let certificates: ReturnType<typeof makeCertificates>;
  let certDir: string;

  beforeAll(async () => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-tls-"));
    certificates = makeCertificates(certDir);
    world = await startWorld({
      seed: { streams: [{ name: "orders", partitions: 1, records: { perPartition: 10 } }], apps: ["billing"] },
      declarations: { "billing.yaml": DECLARATION },
      emulator: { tls: { key: certificates.key, cert: certificates.cert } },
      // The stack's state stays on this machine's disk while its endpoint leaves loopback (the last case): that
      // refusal would come first, and it is not what this file tests.
      config: ["dis-checkpoints:allowLocalBackend: true"],
    });
    delete world.env.NODE_EXTRA_CA_CERTS;
  });
  afterAll(async () => {
    await world?.close();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  it("the emulator serves https", () => {
    expect(world.emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(world.env.DIS_CHECKPOINTS_ENDPOINT).toBe(world.emulator.url);
  });

  it("a certificate from an unknown CA is refused with a clear error; nothing reaches DIS", async () => {
    const result = await world.dis("preview", "--stack", STACK);
    expect(result.code).toBe(1);
    // The program's first request (ListApps) is refused before anything is sent.
    expect(result.stdout).toContain(
      `    error: ListApps failed: the TLS certificate of ${world.emulator.url} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): ` +
        "if a private CA signed it, put that CA's certificate (PEM) in a file and point NODE_EXTRA_CA_CERTS at it; verification is never turned off\n" +
        "    Nothing was committed.\n",
    );
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
    expect(world.takeRequests()).toEqual([]);
  });

  it("with the CA in NODE_EXTRA_CA_CERTS the up commits over verified TLS", async () => {
    world.env.NODE_EXTRA_CA_CERTS = certificates.ca;
    const result = await world.dis("up", "--stack", STACK);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(writes(world.takeRequests()).map((entry) => `${entry.operation} ${entry.status}`)).toEqual(["CommitCheckpoint 201"]);
  });

  it("plain http to a host other than loopback is refused before any connection", async () => {
    world.env.DIS_CHECKPOINTS_ENDPOINT = "http://dis.example.invalid";
    world.writeDeclaration("billing.yaml", DECLARATION.replace('"5"', '"6"'));
    const result = await world.dis("preview", "--stack", STACK);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "    error: refusing plain http to dis.example.invalid: credentials and checkpoints would travel unencrypted. Use https, or set allowInsecureHttp: true " +
        "to accept this deliberately (plain http is always allowed to loopback)\n    Nothing was committed.\n",
    );
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
    expect(result.stdout).not.toMatch(/ENOTFOUND|EAI_AGAIN|getaddrinfo|Unhandled exception/);
    expect(world.takeRequests()).toEqual([]);
  });
});
