/**
 * The GitHub Actions example, examples/ci/github/dis-checkpoints.yml: actionlint passes it; its structure
 * (triggers, permissions, concurrency, pinned actions, a comment on every step); and its two jobs run step
 * by step as a runner would (support/ci.ts), each on a fresh clone of the repository, against the DIS
 * emulator, the real Pulumi CLI with the nodejs language host, Pulumi's S3 backend on versitygw and a fake
 * GitHub API, all on 127.0.0.1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, requireTool } from "../../src/workspace";
import { run } from "../support/project";
import type { S3Server } from "../support/s3";
import { commits, STACK, TEST_SECRET_KEY, writes, type World } from "../support/world";
import {
  GITHUB_WORKFLOW,
  githubExpand,
  loadYaml,
  runGithubJob,
  SETUP_COMMANDS,
  startCiWorld,
  testSecrets,
  transcript,
  type CiWorld,
  type JobResult,
  type Yaml,
} from "./support/ci";
import { startFakeForge, type FakeForge } from "./support/fake-forge";

const workflow = loadYaml(GITHUB_WORKFLOW);
const FORGE_TOKEN = "ghs_testtoken0000000000000000000001";
const REPOSITORY = "acme/checkpoints";
const PR_NUMBER = "7";
const MARKER = `<!-- dis-checkpoints plan: ${STACK} -->`;
/** The secrets the workflow reads, with the test's values filled in by the test. */
const SECRETS = ["OBS_ACCESS_KEY_ID", "OBS_SECRET_ACCESS_KEY", "PULUMI_CONFIG_PASSPHRASE", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"];
const VARS = { OBS_BUCKET: "dis-checkpoints-state", OBS_REGION: "ap-southeast-1" };

const steps = (job: string) => workflow.jobs[job].steps as Yaml[];
/** A step as `uses action` (version dropped) or `run <script>`. */
const kind = (step: Yaml) => (step.uses !== undefined ? `uses ${String(step.uses).split("@")[0]}` : `run ${String(step.run).trim()}`);

/** How both jobs start: the checkout set up, validated, the Pulumi CLI installed and the stack selected. */
const PREPARE = [
  "uses actions/checkout",
  "uses actions/setup-node",
  ...SETUP_COMMANDS.map((command) => `run ${command}`),
  'run npx dis-checkpoints validate "checkpoints/$STACK"',
  "uses pulumi/actions",
  'run pulumi stack select --create "$STACK"',
];

describe("the GitHub workflow file", () => {
  it("passes actionlint: exit 0, no output", async () => {
    const result = await run(requireTool("actionlint"), ["-no-color", GITHUB_WORKFLOW], { cwd: PROJECT_ROOT, timeoutMs: 60_000 });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("runs on pull requests and pushes to main that touch checkpoints/ or stacks/", () => {
    for (const event of ["pull_request", "push"]) {
      expect(workflow.on[event].paths).toEqual(expect.arrayContaining(["checkpoints/**", "stacks/**"]));
    }
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.jobs.plan.if).toBe("github.event_name == 'pull_request'");
    expect(workflow.jobs.apply.if).toBe("github.event_name != 'pull_request' && github.ref == 'refs/heads/main'");
  });

  it("plan job: validate, the plan posted as a comment and uploaded, then the preview", () => {
    expect(steps("plan").map(kind)).toEqual([
      ...PREPARE,
      expect.stringMatching(/^run status=0\n/),
      expect.stringMatching(/^run node examples\/ci\/post-plan-comment\.mjs github /),
      "uses actions/upload-artifact",
      "uses pulumi/actions",
    ]);
    const plan = String(steps("plan")[7]!.run);
    expect(plan).toContain('npx dis-checkpoints plan --stack "$STACK" --format markdown > plan-body.md');
    expect(plan).toContain('npx dis-checkpoints plan --stack "$STACK" --format json > plan.json');
    expect(steps("plan")[1]!.with["node-version"]).toBe(20);
    expect(steps("plan")[10]!.with).toMatchObject({ command: "preview", "stack-name": "${{ matrix.stack }}" });
    expect(steps("plan")[9]!.with.path.split("\n").filter(Boolean)).toEqual(["plan.md", "plan.json"]);
    expect(workflow.jobs.plan.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("apply job: pulumi up, one run per stack at a time, never cancelled", () => {
    expect(steps("apply").map(kind)).toEqual([
      ...PREPARE,
      "uses pulumi/actions",
    ]);
    expect(steps("apply").at(-1)!.with).toMatchObject({ command: "up", "stack-name": "${{ matrix.stack }}" });
    expect(workflow.jobs.apply.concurrency).toEqual({ group: "dis-checkpoints-apply-${{ matrix.stack }}", "cancel-in-progress": false });
    expect(workflow.jobs.plan.concurrency["cancel-in-progress"]).toBe(true);
  });

  it("pins every action by its major tag and keeps expressions out of scripts", () => {
    for (const job of ["plan", "apply"]) {
      for (const step of steps(job)) {
        if (step.uses !== undefined) expect(step.uses).toMatch(/^[a-z-]+\/[a-z-]+@v\d+$/);
        // Values reach scripts through env:, never spliced into the script text (script injection).
        if (step.run !== undefined) expect(step.run).not.toContain("${{");
      }
    }
  });

  it("takes credentials from secrets and keeps the state in OBS through Pulumi's S3 backend", () => {
    const context = { ...Object.fromEntries(SECRETS.map((name) => [`secrets.${name}`, `<${name}>`])), ...Object.fromEntries(Object.entries(VARS).map(([key, value]) => [`vars.${key}`, value])) };
    const env = Object.fromEntries(Object.entries(workflow.env as Record<string, string>).map(([key, value]) => [key, githubExpand(String(value), context)]));
    expect(env).toMatchObject({
      PULUMI_BACKEND_URL: "s3://dis-checkpoints-state?endpoint=obs.ap-southeast-1.myhuaweicloud.com&region=ap-southeast-1",
      AWS_ACCESS_KEY_ID: "<OBS_ACCESS_KEY_ID>",
      AWS_SECRET_ACCESS_KEY: "<OBS_SECRET_ACCESS_KEY>",
      PULUMI_CONFIG_PASSPHRASE: "<PULUMI_CONFIG_PASSPHRASE>",
      HUAWEICLOUD_SDK_AK: "<HUAWEICLOUD_SDK_AK>",
      HUAWEICLOUD_SDK_SK: "<HUAWEICLOUD_SDK_SK>",
    });
  });

  it("says why each step is there: a comment before every step", () => {
    const document = parseDocument(fs.readFileSync(GITHUB_WORKFLOW, "utf8"));
    for (const job of ["plan", "apply"]) {
      const sequence = document.getIn(["jobs", job, "steps"]) as YAMLSeq<YAMLMap>;
      sequence.items.forEach((step, index) => {
        const comment = index === 0 ? (step.commentBefore ?? sequence.commentBefore) : step.commentBefore;
        expect(comment?.trim(), `${job} step ${index}`).toMatch(/\w+/);
      });
    }
  });
});

const SEED = {
  streams: [{ name: "orders", partitions: 4, records: { perPartition: 100 } }],
  apps: ["billing"],
  // Consumers already stand at 60: the first apply moves live checkpoints and must be acknowledged.
  checkpoints: [0, 1, 2, 3].map((partition) => ({ app: "billing", stream: "orders", partition, sequenceNumber: "60" })),
};
const BILLING = `version: 1
app: billing
streams:
  orders:
    partitions:
${[0, 1, 2, 3].map((partition) => `      ${partition}: "50"`).join("\n")}
`;

describe("the GitHub workflow's jobs, run against the emulator, Pulumi and an S3 backend", () => {
  let ci: CiWorld;
  let forge: FakeForge;
  let world: World;
  let s3: S3Server;
  const thread = `github:${REPOSITORY}#${PR_NUMBER}`;

  beforeAll(async () => {
    forge = await startFakeForge({ token: FORGE_TOKEN });
    ci = await startCiWorld({ seed: SEED, declarations: { "billing.yaml": BILLING } });
    ({ world, s3 } = ci);
  });
  afterAll(async () => {
    await ci?.close();
    await forge?.close();
  });

  /** One job on a fresh runner. */
  async function runJob(job: "plan" | "apply"): Promise<JobResult> {
    const { dir, env } = ci.runner();
    return runGithubJob({
      workflow,
      job,
      dir,
      env,
      context: {
        ...Object.fromEntries(Object.entries(testSecrets(s3)).map(([key, value]) => [`secrets.${key}`, value])),
        ...Object.fromEntries(Object.entries(VARS).map(([key, value]) => [`vars.${key}`, value])),
        "matrix.stack": STACK,
        "github.token": FORGE_TOKEN,
        "github.event.pull_request.number": PR_NUMBER,
      },
      runnerEnv: {
        CI: "true",
        GITHUB_ACTIONS: "true",
        GITHUB_API_URL: forge.githubApi,
        GITHUB_REPOSITORY: REPOSITORY,
        GITHUB_EVENT_NAME: job === "plan" ? "pull_request" : "push",
        GITHUB_REF: job === "plan" ? `refs/pull/${PR_NUMBER}/merge` : "refs/heads/main",
      },
      // The one substitution: the bucket is on the local S3 server, not in OBS.
      overrides: { PULUMI_BACKEND_URL: s3.backendUrl },
    });
  }
  const step = (result: JobResult, label: string) => {
    const found = result.steps.find((candidate) => candidate.label === label);
    if (found === undefined) throw new Error(`no step ${label}:\n${transcript(result)}`);
    return found;
  };
  const PREVIEW = "pulumi/actions@v6";
  const lastStep = (result: JobResult) => result.steps.at(-1)!;

  let token: string;
  let commentId: number;

  it("pull request, first apply not yet acknowledged: the plan is posted with the refusal and its token; the preview fails; nothing is written", async () => {
    world.takeRequests();
    const result = await runJob("plan");
    // Every step ran up to the preview, which failed the job.
    expect(result.steps.map((entry) => entry.label)).toHaveLength(steps("plan").length);
    expect(result.ok, transcript(result)).toBe(false);
    expect(step(result, "Validate declarations").stdout).toBe("1 app, 1 stream, 4 checkpoints in 1 file\n");
    expect(step(result, "Plan").code, transcript(result)).toBe(0);

    const { "plan.md": markdown, "plan.json": json } = result.artifacts[`dis-checkpoints-plan-${STACK}`]!;
    expect(markdown!.startsWith(`${MARKER}\n### dis-checkpoints plan for stack \`${STACK}\`\n`)).toBe(true);
    expect(markdown).toContain("first-apply");
    const plan = JSON.parse(json!);
    expect(plan).toMatchObject({ stack: STACK, refused: true, firstApply: { acknowledged: false } });
    token = plan.firstApply.token;
    expect(markdown).toContain(token);

    const comments = forge.thread(thread);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toBe(markdown);
    commentId = comments[0]!.id;
    expect(step(result, "Post the plan comment").stdout).toBe(`post-plan-comment: created comment ${commentId}\n`);

    const preview = lastStep(result);
    expect(preview.label).toBe(PREVIEW);
    expect(preview.commands).toEqual([`pulumi login ${s3.backendUrl}`, `pulumi preview --stack ${STACK}`]);
    expect(preview.code).not.toBe(0);
    expect(preview.stdout).toContain("[first-apply]");
    expect(preview.stdout).toContain(`dis-checkpoints:acknowledgeFirstApply to ${token}`);
    expect(writes(world.takeRequests())).toEqual([]);
  });

  it("pull request with the acknowledgement in the stack file: validate, plan and preview pass; the same comment is edited in place", async () => {
    // What the author adds to the pull request, as docs/pipelines.md says.
    const set = await world.pulumi("config", "set", "dis-checkpoints:acknowledgeFirstApply", token, "--stack", STACK);
    expect(set.code, set.stderr).toBe(0);
    forge.takeRequests();
    const result = await runJob("plan");
    expect(result.ok, transcript(result)).toBe(true);

    const { "plan.md": markdown, "plan.json": json } = result.artifacts[`dis-checkpoints-plan-${STACK}`]!;
    expect(markdown!.startsWith(`${MARKER}\n`)).toBe(true);
    expect(markdown).toContain(`First apply acknowledged (\`${token}\`)`);
    expect(JSON.parse(json!)).toMatchObject({ refused: false, summary: { commits: 4, refused: 0, replay: { partitions: 4, records: "40" } } });

    expect(step(result, "Post the plan comment").stdout).toBe(`post-plan-comment: updated comment ${commentId} in place\n`);
    expect(forge.thread(thread)).toEqual([{ id: commentId, body: markdown, author: "github-actions[bot]" }]);
    expect(forge.takeRequests().map((request) => request.method)).toEqual(["GET", "PATCH"]);

    const preview = lastStep(result);
    expect(preview.label).toBe(PREVIEW);
    expect(preview.stdout).toContain("billing / orders: 4 to commit, 0 refused, 0 partitions unchanged; consumers idle (no checkpoint moved in 0.3s); first apply");
    expect(preview.stdout).toMatch(/ {6}partition {2}live {2}declared {2}impact\n {6}0 {10}60 {4}50 {8}replay 10 records\n/);
    expect(writes(world.takeRequests())).toEqual([]);
  });

  it("merge to main: pulumi up commits the declared checkpoints; the next apply commits nothing", async () => {
    world.takeRequests();
    const result = await runJob("apply");
    expect(result.ok, transcript(result)).toBe(true);
    const up = lastStep(result);
    expect(up.commands).toEqual([`pulumi login ${s3.backendUrl}`, `pulumi up --stack ${STACK} --yes --skip-preview`]);
    expect(commits(world.takeRequests())).toEqual(["billing/orders/0=50", "billing/orders/1=50", "billing/orders/2=50", "billing/orders/3=50"]);
    expect(world.checkpoint("billing", "orders", 3)).toBe("50");
    // The state went to the bucket, for the next runner.
    const object = path.join(s3.dataDir, s3.bucket, ".pulumi", "stacks", "dis-checkpoints", `${STACK}.json`);
    expect(fs.readFileSync(object, "utf8")).not.toContain(TEST_SECRET_KEY);

    const again = await runJob("apply");
    expect(again.ok, transcript(again)).toBe(true);
    expect(lastStep(again).stdout).toContain("No declared checkpoint changed: nothing will be committed.");
    expect(writes(world.takeRequests())).toEqual([]);
  });
});
