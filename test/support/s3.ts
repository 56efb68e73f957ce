import { spawn, type ChildProcess } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { requireTool } from "../../src/workspace";

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** The served directory: bucket `b`'s object `k` is the file `<dataDir>/b/k`. */
  dataDir: string;
  /** A Pulumi backend URL for the bucket (gocloud's S3 URL opener). */
  backendUrl: string;
  /** What a Pulumi (AWS SDK for Go v2) client needs in its environment to reach the server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const REGION = "us-east-1";
const READY_TIMEOUT_MS = 20_000;

/** Servers still running, killed on exit should a test end without calling stop(). */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts versitygw (built by set-up) on 127.0.0.1 over a fresh temporary directory, with generated root
 * keys, and creates one bucket. Call stop() in an afterAll/afterEach: it stops the server and removes the
 * directory.
 */
export async function startS3Server(options: { bucket?: string } = {}): Promise<S3Server> {
  // The free port is found before versitygw binds it, so another process can take it in between: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startS3ServerOnce(options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function startS3ServerOnce(options: { bucket?: string }): Promise<S3Server> {
  const versitygw = requireTool("versitygw");
  const bucket = options.bucket ?? "pulumi-state";
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-s3-"));
  const dataDir = path.join(workDir, "data");
  // Metadata (bucket ACLs, object attributes) goes to files rather than extended attributes, which some
  // temporary filesystems lack.
  const metaDir = path.join(workDir, "meta");
  fs.mkdirSync(dataDir);
  fs.mkdirSync(metaDir);
  const accessKey = `AK${randomBytes(8).toString("hex").toUpperCase()}`;
  const secretKey = randomBytes(24).toString("base64url");
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;

  // To a file, not a pipe: a test blocked in spawnSync would stop draining a pipe, and the server would
  // hang once the pipe filled with its request log.
  const logFile = path.join(workDir, "versitygw.log");
  const log = fs.openSync(logFile, "w");
  const args = ["--access", accessKey, "--secret", secretKey, "--region", REGION, "--port", `127.0.0.1:${port}`];
  args.push("posix", "--sidecar", metaDir, dataDir);
  const child = spawn(versitygw, args, { stdio: ["ignore", log, log], env: { PATH: process.env.PATH ?? "", HOME: workDir } });
  fs.closeSync(log);
  running.add(child);
  const output = () => fs.readFileSync(logFile, "utf8").slice(-4000);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  const stop = async () => {
    if (!hasExited()) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    }
    running.delete(child);
    fs.rmSync(workDir, { recursive: true, force: true });
  };

  try {
    await waitForPort(port, hasExited);
    const response = await signedRequest({ endpoint, method: "PUT", path: `/${bucket}`, accessKey, secretKey });
    if (response.status !== 200) throw new Error(`creating bucket ${bucket} failed: HTTP ${response.status} ${await response.text()}`);
  } catch (error) {
    const tail = output();
    await stop();
    throw new Error(`versitygw did not come up: ${error instanceof Error ? error.message : String(error)}\n${tail}`);
  }

  // The SDK's defaults suit versitygw v1.8.0: it verifies the CRC32 checksums the SDK sends since its
  // when_supported default, so AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION need no
  // when_required. An empty session token (which the SDK takes for none) keeps one from the caller's shell
  // from being sent along with these keys.
  const env = {
    AWS_ACCESS_KEY_ID: accessKey,
    AWS_SECRET_ACCESS_KEY: secretKey,
    AWS_SESSION_TOKEN: "",
    AWS_REGION: REGION,
  };
  // Path-style addressing: virtual-hosted style would ask DNS for <bucket>.127.0.0.1. gocloud's S3 opener
  // takes s3ForcePathStyle and use_path_style alike.
  const backendUrl = `s3://${bucket}?endpoint=${endpoint}&s3ForcePathStyle=true&region=${REGION}`;
  return { endpoint, bucket, dataDir, backendUrl, env, stop };
}

/** A port nothing listens on just now (the OS picks it); the server binds it right after. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the port accepts connections, at most READY_TIMEOUT_MS; `exited` cuts the wait short. */
async function waitForPort(port: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited()) throw new Error("the process exited");
    if (await connects(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on 127.0.0.1:${port} within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

/** An S3 request with an empty body, signed with AWS Signature Version 4 (all bucket creation needs). */
async function signedRequest(request: {
  endpoint: string;
  method: string;
  path: string;
  accessKey: string;
  secretKey: string;
}): Promise<Response> {
  const host = new URL(request.endpoint).host;
  const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256("");
  const signedHeaders = "host;x-amz-content-sha256;x-amz-date";
  const canonical = [
    request.method,
    request.path,
    "",
    `host:${host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${amzDate}\n`,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${day}/${REGION}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  let key: Buffer = hmac(`AWS4${request.secretKey}`, day);
  for (const part of [REGION, "s3", "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return fetch(`${request.endpoint}${request.path}`, {
    method: request.method,
    headers: {
      "x-amz-content-sha256": payloadHash,
      "x-amz-date": amzDate,
      authorization:
        `AWS4-HMAC-SHA256 Credential=${request.accessKey}/${scope}, ` +
        `SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    signal: AbortSignal.timeout(10_000),
  });
}
