/**
 * The GitLab CI example, examples/ci/gitlab/.gitlab-ci.yml: its structure (stages, rules, resource group,
 * artifacts, variables) as the `yaml` package parses it; and its jobs run as a runner would (support/ci.ts),
 * each on a fresh clone of the repository, against the DIS emulator, the real Pulumi CLI with the nodejs
 * language host, Pulumi's S3 backend on versitygw and a fake GitLab API, all on 127.0.0.1.
 */
import * as fs from "node:fs";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PULUMI_VERSION } from "../../src/workspace";
import { commits, STACK, writes, type World } from "../support/world";
import {
  GITHUB_WORKFLOW,
  GITLAB_CI,
  gitlabVariables,
  loadYaml,
  runGitlabJob,
  SETUP_COMMANDS,
  startCiWorld,
  testSecrets,
  transcript,
  type CiWorld,
  type JobResult,
} from "./support/ci";
import { startFakeForge, type FakeForge } from "./support/fake-forge";

const config = loadYaml(GITLAB_CI);
const NOTE_TOKEN = "glpat-testtoken000000000001";
const PROJECT_ID = "42";
const MR_IID = "12";
const MARKER = `<!-- dis-checkpoints plan: ${STACK} -->`;
const DECLARATIONS_CHANGED = ["checkpoints/**/*", "stacks/**/*"];
const ON_MERGE_REQUEST = '$CI_PIPELINE_SOURCE == "merge_request_event"';
const ON_DEFAULT_BRANCH = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH";
/** Top-level keys that are not jobs. */
const GLOBAL_KEYS = new Set(["workflow", "stages", "variables", "default", "include"]);

const jobs = () => Object.keys(config).filter((key) => !key.startsWith(".") && !GLOBAL_KEYS.has(key));
const ifs = (job: string) => (config[job].rules as Array<{ if: string }>).map((rule) => rule.if);

describe("the GitLab CI file", () => {
  it("has three stages and a job in each: validate, plan (merge requests), up (default branch)", () => {
    expect(config.stages).toEqual(["validate", "plan", "apply"]);
    expect(jobs()).toEqual(["validate", "plan", "up"]);
    expect(jobs().map((job) => config[job].stage)).toEqual(["validate", "plan", "apply"]);
    expect(config.workflow.rules.map((rule: { if: string }) => rule.if)).toEqual([ON_MERGE_REQUEST, ON_DEFAULT_BRANCH]);
  });

  it("runs its jobs only when declarations or stack settings change: validate on both, plan on merge requests, up on the default branch", () => {
    expect(ifs("validate")).toEqual([ON_MERGE_REQUEST, ON_DEFAULT_BRANCH]);
    expect(ifs("plan")).toEqual([ON_MERGE_REQUEST]);
    expect(ifs("up")).toEqual([ON_DEFAULT_BRANCH]);
    for (const job of jobs()) {
      for (const rule of config[job].rules) expect(rule.changes).toEqual(expect.arrayContaining(DECLARATIONS_CHANGED));
    }
  });

  it("serializes up with a resource group per stack and never interrupts it; plans are interruptible", () => {
    expect(config.up.resource_group).toBe(`dis-checkpoints-${config.variables.STACK}`);
    expect(config.up.interruptible).toBe(false);
    expect(config.plan.interruptible).toBe(true);
    expect(config.up.script).toEqual(['pulumi stack select --create "$STACK"', 'pulumi up --yes --stack "$STACK"']);
  });

  it("plan: the stack, the plan (Markdown and JSON), the note, the preview; the plan kept as artifacts even when the job fails", () => {
    const script = config.plan.script as string[];
    expect(script[0]).toBe('pulumi stack select --create "$STACK"');
    expect(script[1]).toContain('npx dis-checkpoints plan --stack "$STACK" --format markdown > plan-body.md');
    expect(script[1]).toContain('npx dis-checkpoints plan --stack "$STACK" --format json > plan.json');
    expect(script[2]).toContain('node examples/ci/post-plan-comment.mjs gitlab --api "$CI_API_V4_URL" --repo "$CI_PROJECT_ID" --number "$CI_MERGE_REQUEST_IID" --file plan.md');
    expect(script.at(-1)).toBe('pulumi preview --stack "$STACK"');
    expect(config.plan.artifacts).toMatchObject({ when: "always", paths: ["plan.md", "plan.json"] });
    expect(config.validate.script).toEqual(['npx dis-checkpoints validate "checkpoints/$STACK"']);
  });

  it("writes the plan exactly as the GitHub workflow does", () => {
    const github = String(loadYaml(GITHUB_WORKFLOW).jobs.plan.steps.find((step: { name?: string }) => step.name === "Plan").run);
    expect(github.replace('cat plan.md >> "$GITHUB_STEP_SUMMARY"\n', "")).toBe(config.plan.script[1]);
  });

  it("runs in the pinned Pulumi CLI's image after installing and building the project", () => {
    expect(config.default.image.name).toBe(`pulumi/pulumi-nodejs:${PULUMI_VERSION}`);
    expect(config.default.before_script).toEqual(SETUP_COMMANDS);
  });

  it("keeps secrets out of the file and the state in OBS through Pulumi's S3 backend", () => {
    const ci = {
      CI_PROJECT_DIR: "/builds/acme/checkpoints",
      OBS_BUCKET: "dis-checkpoints-state",
      OBS_REGION: "ap-southeast-1",
      OBS_ACCESS_KEY_ID: "<OBS_ACCESS_KEY_ID>",
      OBS_SECRET_ACCESS_KEY: "<OBS_SECRET_ACCESS_KEY>",
    };
    expect(gitlabVariables(config, "up", ci)).toMatchObject({
      PULUMI_BACKEND_URL: "s3://dis-checkpoints-state?endpoint=obs.ap-southeast-1.myhuaweicloud.com&region=ap-southeast-1",
      AWS_ACCESS_KEY_ID: "<OBS_ACCESS_KEY_ID>",
      AWS_SECRET_ACCESS_KEY: "<OBS_SECRET_ACCESS_KEY>",
    });
    // These are the project's masked CI/CD variables, never values in the file.
    for (const secret of ["PULUMI_CONFIG_PASSPHRASE", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "DIS_PLAN_NOTE_TOKEN", "OBS_ACCESS_KEY_ID"]) {
      expect(Object.keys(config.variables)).not.toContain(secret);
    }
  });

  it("says why each job is there: a comment before every job", () => {
    const document = parseDocument(fs.readFileSync(GITLAB_CI, "utf8"));
    const pairs = (document.contents as unknown as { items: Array<{ key: { value: string; commentBefore?: string } }> }).items;
    for (const job of jobs()) expect(pairs.find((pair) => pair.key.value === job)!.key.commentBefore?.trim(), job).toMatch(/\w+/);
  });
});

const SEED = {
  streams: [{ name: "orders", partitions: 2, records: { perPartition: 100 } }],
  // The app does not exist yet: up creates it, and there is no live checkpoint to move (no first apply).
  apps: [],
};
const analytics = (second: string) => `version: 1
app: analytics
streams:
  orders:
    partitions:
      0: "10"
      1: "${second}"
`;

describe("the GitLab CI jobs, run against the emulator, Pulumi and an S3 backend", () => {
  let ci: CiWorld;
  let forge: FakeForge;
  let world: World;
  const thread = `gitlab:${PROJECT_ID}!${MR_IID}`;

  beforeAll(async () => {
    forge = await startFakeForge({ token: NOTE_TOKEN });
    ci = await startCiWorld({ seed: SEED, declarations: { "analytics.yaml": analytics("20") } });
    world = ci.world;
  });
  afterAll(async () => {
    await ci?.close();
    await forge?.close();
  });

  async function runJob(job: "validate" | "plan" | "up", options: { noteToken?: boolean } = {}): Promise<JobResult> {
    const { dir, env } = ci.runner();
    const pipeline: Record<string, string> = job === "up" ? { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "main" } : { CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_IID: MR_IID };
    return runGitlabJob({
      config,
      job,
      dir,
      env,
      ciVariables: {
        // Predefined by GitLab.
        CI: "true",
        GITLAB_CI: "true",
        CI_PROJECT_DIR: dir,
        CI_PROJECT_ID: PROJECT_ID,
        CI_API_V4_URL: forge.gitlabApi,
        CI_DEFAULT_BRANCH: "main",
        ...pipeline,
        // The project's CI/CD variables.
        ...testSecrets(ci.s3),
        OBS_BUCKET: "dis-checkpoints-state",
        OBS_REGION: "ap-southeast-1",
        ...(options.noteToken === false ? {} : { DIS_PLAN_NOTE_TOKEN: NOTE_TOKEN }),
      },
      // The substitutions: the bucket is on the local S3 server, not in OBS; the stack is the test's, as a
      // pipeline variable would set it.
      overrides: { PULUMI_BACKEND_URL: ci.s3.backendUrl, STACK },
    });
  }
  const output = (result: JobResult) => result.steps[0]!.stdout;

  it("merge request: validate passes", async () => {
    const result = await runJob("validate");
    expect(result.ok, transcript(result)).toBe(true);
    expect(output(result)).toBe("1 app, 1 stream, 2 checkpoints in 1 file\n");
  });

  it("merge request without a note token: the plan is an artifact only; the preview shows the impact; nothing is written", async () => {
    world.takeRequests();
    forge.takeRequests();
    const result = await runJob("plan", { noteToken: false });
    expect(result.ok, transcript(result)).toBe(true);
    expect(output(result)).toContain("DIS_PLAN_NOTE_TOKEN is not set: the plan is in the job's artifacts only");
    expect(forge.takeRequests()).toEqual([]);
    const { "plan.md": markdown, "plan.json": json } = result.artifacts.plan!;
    expect(markdown!.startsWith(`${MARKER}\n### dis-checkpoints plan for stack \`${STACK}\`\n`)).toBe(true);
    expect(JSON.parse(json!)).toMatchObject({ stack: STACK, refused: false, summary: { commits: 2, refused: 0 } });
    expect(output(result)).toContain("app 'analytics' does not exist: up creates it");
    expect(output(result)).toContain("analytics / orders: 2 to commit, 0 refused, 0 partitions unchanged");
    expect(writes(world.takeRequests())).toEqual([]);
  });

  it("merge request with the token: the note is created, then edited in place after a new push; one note", async () => {
    const first = await runJob("plan");
    expect(first.ok, transcript(first)).toBe(true);
    const notes = forge.thread(thread);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toBe(first.artifacts.plan!["plan.md"]);
    expect(output(first)).toContain(`post-plan-comment: created note ${notes[0]!.id}\n`);

    world.writeDeclaration("analytics.yaml", analytics("30"));
    forge.takeRequests();
    const second = await runJob("plan");
    expect(second.ok, transcript(second)).toBe(true);
    const markdown = second.artifacts.plan!["plan.md"]!;
    expect(markdown).toMatch(/\| 1 \| none \| 30 \| initial \|/);
    expect(output(second)).toContain(`post-plan-comment: updated note ${notes[0]!.id} in place\n`);
    expect(forge.thread(thread)).toEqual([{ id: notes[0]!.id, body: markdown, system: false, author: "project_42_bot" }]);
    expect(forge.takeRequests().map((request) => request.method)).toEqual(["GET", "PUT"]);
    expect(writes(world.takeRequests())).toEqual([]);
  });

  it("default branch: up creates the app and commits; the next up commits nothing", async () => {
    world.takeRequests();
    const result = await runJob("up");
    expect(result.ok, transcript(result)).toBe(true);
    const requests = world.takeRequests();
    expect(writes(requests).filter((entry) => entry.operation === "CreateApp").map((entry) => entry.body)).toEqual([{ app_name: "analytics" }]);
    expect(commits(requests)).toEqual(["analytics/orders/0=10", "analytics/orders/1=30"]);

    const again = await runJob("up");
    expect(again.ok, transcript(again)).toBe(true);
    expect(output(again)).toContain("No declared checkpoint changed: nothing will be committed.");
    expect(writes(world.takeRequests())).toEqual([]);
  });
});
