import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requirePulumiCli } from "../../src/workspace";
import { run, TEST_PASSPHRASE } from "../support/project";
import { startS3Server, type S3Server } from "../support/s3";

const STACK = "organization/proj/x";

describe("the Pulumi CLI keeps state in an S3-compatible backend (versitygw)", () => {
  let server: S3Server;
  const temporary: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-s3-client-"));
    temporary.push(dir);
    return dir;
  };

  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.stop();
    for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A client with its own PULUMI_HOME, outside any project, logged in to the server's bucket. */
  async function client() {
    const home = tempDir();
    const cwd = tempDir();
    // The passphrase provider keeps its salt in the stack's config file, which lives beside Pulumi.yaml.
    fs.writeFileSync(path.join(cwd, "Pulumi.yaml"), "name: proj\nruntime: nodejs\n");
    const base: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) base[key] = value;
    // The login below must be what selects the backend.
    delete base.PULUMI_BACKEND_URL;
    const env = {
      ...base,
      ...server.env,
      PULUMI_HOME: home,
      PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    const pulumi = async (...args: string[]) => {
      const result = await run(requirePulumiCli().command, [...args, "--non-interactive"], { cwd, env });
      expect(result.code, `pulumi ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
      return result;
    };
    const login = await pulumi("login", server.backendUrl);
    expect(login.stdout).toContain(`Logged in to`);
    return { pulumi, home };
  }

  it("initialises, lists and exports a stack, stored as an object under the served directory", async () => {
    const first = await client();
    const credentials = JSON.parse(fs.readFileSync(path.join(first.home, "credentials.json"), "utf8")) as { current?: string };
    expect(credentials.current).toBe(server.backendUrl);

    await first.pulumi("stack", "init", STACK, "--secrets-provider", "passphrase");
    const listed = JSON.parse((await first.pulumi("stack", "ls", "--all", "--json")).stdout) as Array<{ name: string }>;
    // Inside project proj, the CLI lists the stack by its short name.
    expect(listed.map((stack) => stack.name)).toEqual(["x"]);

    const exported = JSON.parse((await first.pulumi("stack", "export", "--stack", STACK)).stdout) as {
      version: number;
      deployment: { secrets_providers?: { type?: string } };
    };
    expect(exported.version).toBe(3);
    expect(exported.deployment.secrets_providers?.type).toBe("passphrase");

    // Pulumi's DIY layout: .pulumi/stacks/<project>/<stack>.json in the bucket.
    const object = path.join(server.dataDir, server.bucket, ".pulumi", "stacks", "proj", "x.json");
    expect(fs.existsSync(object), `${object} after stack init`).toBe(true);
    const stored = JSON.parse(fs.readFileSync(object, "utf8")) as { checkpoint?: { stack?: string } };
    expect(stored.checkpoint?.stack).toBe(STACK);

    // A second client with a fresh PULUMI_HOME sees the same stack: the state lives in the bucket alone.
    const second = await client();
    const seen = JSON.parse((await second.pulumi("stack", "ls", "--all", "--json")).stdout) as Array<{ name: string }>;
    expect(seen.map((stack) => stack.name)).toEqual(["x"]);
    const again = JSON.parse((await second.pulumi("stack", "export", "--stack", STACK)).stdout) as unknown;
    expect(again).toEqual(exported);
  });
});
