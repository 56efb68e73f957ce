/**
 * Runs the pipeline examples (examples/ci) the way their CI would, step by step, in a test project: the
 * commands are read from the files, not copied into the tests.
 *
 * - GitHub Actions: every `run:` script runs with `bash --noprofile --norc -eo pipefail` (the workflow's
 *   `shell: bash`), with the workflow's, the job's and the step's `env:`; `${{ … }}` expressions are replaced
 *   by the test's values for them (an expression the test has no value for fails the run, so a new one cannot
 *   go unnoticed). `uses:` steps are modelled: checkout and setup-node are the test project itself;
 *   `pulumi/actions` without a command installs the CLI, here the one set-up built (its version must be the
 *   pinned one), and with one runs what the action runs through the Automation API: `pulumi login <cloud-url>`,
 *   then `pulumi preview --stack S` or `pulumi up --yes --skip-preview --stack S`; upload-artifact records
 *   the files. Any other action, input or step condition fails the run.
 * - GitLab CI: `variables:` are expanded as GitLab does (`$NAME`, `${NAME}`), and the job's `before_script`
 *   and `script` lines run as one bash script with -eo pipefail, as the runner runs them.
 *
 * The set-up commands (`npm ci`, `npm run build`) are not run: the test project links the repository's
 * node_modules and dist, which they would rewrite.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT, PULUMI_VERSION, requirePulumiCli } from "../../../src/workspace";
import { run, TEST_PASSPHRASE, type ProcessResult } from "../../support/project";
import { startS3Server, type S3Server } from "../../support/s3";
import { STACK, startWorld, TEST_ACCESS_KEY, TEST_SECRET_KEY, type World, type WorldOptions } from "../../support/world";

export const GITHUB_WORKFLOW = path.join(PROJECT_ROOT, "examples", "ci", "github", "dis-checkpoints.yml");
export const GITLAB_CI = path.join(PROJECT_ROOT, "examples", "ci", "gitlab", ".gitlab-ci.yml");
/** The comment script, at the path both pipelines call it by. */
export const COMMENT_SCRIPT = path.join("examples", "ci", "post-plan-comment.mjs");

/** Set-up lines a runner needs and the test project already has (see above). */
export const SETUP_COMMANDS = ["npm ci --ignore-scripts", "npm run build"];

/** The bound on one step, far above what any step takes. */
const STEP_TIMEOUT_MS = 240_000;

export interface StepResult extends ProcessResult {
  label: string;
  /** What ran: the script, or the Pulumi commands an action stands for; undefined when nothing had to. */
  commands?: string[];
}

export interface JobResult {
  steps: StepResult[];
  /** Whether every step succeeded (a failing step ends the job, as in CI). */
  ok: boolean;
  /** Artifact name → file → text (undefined: missing). */
  artifacts: Record<string, Record<string, string | undefined>>;
}

export type Yaml = Record<string, any>;

export function loadYaml(file: string): Yaml {
  return parse(fs.readFileSync(file, "utf8")) as Yaml;
}

/** `${{ expression }}` replaced by the context's value for exactly that expression. */
export function githubExpand(text: string, context: Record<string, string>): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_match, expression: string) => {
    const value = context[expression];
    if (value === undefined) throw new Error(`the test has no value for \${{ ${expression} }}`);
    return value;
  });
}

function expandAll(env: Record<string, unknown> | undefined, expand: (text: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([key, value]) => [key, expand(String(value))]));
}

export interface GithubRunOptions {
  workflow: Yaml;
  job: string;
  /** The checkout: the project directory the steps run in. */
  dir: string;
  /** The environment of the machine (PATH with the Pulumi CLI first, PULUMI_HOME, …). */
  env: Record<string, string>;
  /** Values of `${{ … }}` expressions: `secrets.X`, `vars.X`, `matrix.stack`, `github.token`, … (`env.X` is added per step). */
  context: Record<string, string>;
  /** Variables the runner sets itself: CI, GITHUB_API_URL, GITHUB_REPOSITORY, … */
  runnerEnv: Record<string, string>;
  /** Replace these after evaluating the workflow's env (the backend URL, to point at the local S3 server). */
  overrides?: Record<string, string>;
}

export async function runGithubJob(options: GithubRunOptions): Promise<JobResult> {
  const job = options.workflow.jobs[options.job] as Yaml;
  if (job === undefined) throw new Error(`no job ${options.job}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-runner-"));
  const output = path.join(scratch, "output");
  const summary = path.join(scratch, "summary");
  const steps: StepResult[] = [];
  const artifacts: JobResult["artifacts"] = {};
  try {
    const expandStatic = (text: string) => githubExpand(text, options.context);
    const jobEnv = {
      ...options.env,
      ...options.runnerEnv,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: scratch,
      ...expandAll(options.workflow.env, expandStatic),
      ...expandAll(job.env, expandStatic),
    };
    for (const [index, step] of (job.steps as Yaml[]).entries()) {
      if (step.if !== undefined) throw new Error(`step ${index} has a condition the runner does not model: ${step.if}`);
      const stepEnv = { ...jobEnv, ...expandAll(step.env, expandStatic), ...options.overrides };
      const context = { ...options.context, ...Object.fromEntries(Object.entries(stepEnv).map(([key, value]) => [`env.${key}`, value])) };
      const expand = (text: string) => githubExpand(text, context);
      const label = step.name ?? step.uses ?? String(step.run).split("\n")[0];
      let result: StepResult;
      if (step.run !== undefined) {
        const script = expand(String(step.run));
        if (SETUP_COMMANDS.includes(script.trim())) {
          result = { label, code: 0, stdout: "", stderr: "" };
        } else {
          const file = path.join(scratch, `step-${index}.sh`);
          fs.writeFileSync(file, script);
          result = { label, commands: [script], ...(await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], { cwd: options.dir, env: stepEnv, timeoutMs: STEP_TIMEOUT_MS })) };
        }
      } else {
        const inputs = expandAll(step.with, expand);
        result = { label, ...(await runAction(String(step.uses), inputs, options.dir, stepEnv, artifacts)) };
      }
      steps.push(result);
      if (result.code !== 0) return { steps, ok: false, artifacts };
    }
    return { steps, ok: true, artifacts };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function runAction(
  uses: string,
  inputs: Record<string, string>,
  dir: string,
  env: Record<string, string>,
  artifacts: JobResult["artifacts"],
): Promise<Omit<StepResult, "label">> {
  const [action] = uses.split("@");
  const allow = (...names: string[]) => {
    const unmodelled = Object.keys(inputs).filter((name) => !names.includes(name));
    if (unmodelled.length > 0) throw new Error(`${uses}: the runner does not model the inputs ${unmodelled.join(", ")}`);
  };
  const done = { code: 0, stdout: "", stderr: "" };
  switch (action) {
    case "actions/checkout":
      allow();
      return done;
    case "actions/setup-node":
      allow("node-version", "cache");
      return done;
    case "actions/upload-artifact": {
      allow("name", "path");
      artifacts[inputs.name!] = Object.fromEntries(
        inputs.path!.split("\n").map((line) => line.trim()).filter(Boolean).map((file) => {
          const full = path.join(dir, file);
          return [file, fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined];
        }),
      );
      return done;
    }
    case "pulumi/actions": {
      allow("pulumi-version", "command", "stack-name", "cloud-url");
      const cli = requirePulumiCli();
      if (inputs["pulumi-version"] !== PULUMI_VERSION || cli.version !== `v${PULUMI_VERSION}`) {
        throw new Error(`${uses} installs Pulumi ${inputs["pulumi-version"]}; the tests run ${cli.version}, the version the project pins is ${PULUMI_VERSION}`);
      }
      if (inputs.command === undefined) return done;
      const invocations: string[][] = [];
      if (inputs["cloud-url"] !== undefined) invocations.push(["login", inputs["cloud-url"]]);
      const confirm = inputs.command === "up" ? ["--yes", "--skip-preview"] : [];
      if (inputs.command !== "preview" && inputs.command !== "up") throw new Error(`${uses}: command ${inputs.command} is not modelled`);
      invocations.push([inputs.command, "--stack", inputs["stack-name"]!, ...confirm]);
      let stdout = "";
      let stderr = "";
      for (const args of invocations) {
        const result = await run("pulumi", args, { cwd: dir, env, timeoutMs: STEP_TIMEOUT_MS });
        stdout += result.stdout;
        stderr += result.stderr;
        if (result.code !== 0) return { commands: invocations.map((line) => `pulumi ${line.join(" ")}`), code: result.code, stdout, stderr };
      }
      return { commands: invocations.map((line) => `pulumi ${line.join(" ")}`), code: 0, stdout, stderr };
    }
    default:
      throw new Error(`the runner does not model the action ${uses}`);
  }
}

/** `$NAME` and `${NAME}` replaced as GitLab expands `variables:` values; an unknown name fails. */
export function gitlabExpand(text: string, variables: Record<string, string>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_match, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const value = variables[name];
    if (value === undefined) throw new Error(`the test has no value for the variable $${name}`);
    return value;
  });
}

/** The file's global and the job's `variables:`, expanded against the CI/CD and predefined variables. */
export function gitlabVariables(config: Yaml, job: string, ciVariables: Record<string, string>): Record<string, string> {
  const expanded: Record<string, string> = {};
  for (const source of [config.variables, config[job]?.variables]) {
    for (const [key, value] of Object.entries((source ?? {}) as Record<string, unknown>)) {
      expanded[key] = gitlabExpand(String(value), { ...ciVariables, ...expanded });
    }
  }
  return expanded;
}

export interface GitlabRunOptions {
  config: Yaml;
  job: string;
  dir: string;
  env: Record<string, string>;
  /** Predefined variables (CI_API_V4_URL, CI_PROJECT_ID, …) and the project's CI/CD variables. */
  ciVariables: Record<string, string>;
  overrides?: Record<string, string>;
}

export async function runGitlabJob(options: GitlabRunOptions): Promise<JobResult> {
  const job = options.config[options.job] as Yaml;
  if (job === undefined) throw new Error(`no job ${options.job}`);
  const lines = [...((job.before_script ?? options.config.default?.before_script ?? []) as string[]), ...(job.script as string[])];
  const script = lines.filter((line) => !SETUP_COMMANDS.includes(line.trim())).join("\n");
  const env = { ...options.env, ...options.ciVariables, ...gitlabVariables(options.config, options.job, options.ciVariables), ...options.overrides };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-runner-"));
  try {
    const file = path.join(scratch, "script.sh");
    fs.writeFileSync(file, script);
    const result = await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], { cwd: options.dir, env, timeoutMs: STEP_TIMEOUT_MS });
    const paths = (job.artifacts?.paths ?? []) as string[];
    const files = Object.fromEntries(paths.map((file) => [file, fs.existsSync(path.join(options.dir, file)) ? fs.readFileSync(path.join(options.dir, file), "utf8") : undefined]));
    return { steps: [{ label: options.job, commands: [script], ...result }], ok: result.code === 0, artifacts: { [options.job]: files } };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The pipelines' secrets (CI/CD variables on GitLab), with the test's values. */
export function testSecrets(s3: S3Server): Record<string, string> {
  return {
    OBS_ACCESS_KEY_ID: s3.env.AWS_ACCESS_KEY_ID!,
    OBS_SECRET_ACCESS_KEY: s3.env.AWS_SECRET_ACCESS_KEY!,
    PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
    HUAWEICLOUD_SDK_AK: TEST_ACCESS_KEY,
    HUAWEICLOUD_SDK_SK: TEST_SECRET_KEY,
  };
}

/** What the pipelines must bring themselves: a runner has none of it. */
const PIPELINE_SUPPLIED = ["PULUMI_BACKEND_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PULUMI_CONFIG_PASSPHRASE", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"];

export interface CiWorld {
  /** The repository as committed (declarations, stack file, the comment script) and the emulator. */
  world: World;
  s3: S3Server;
  /**
   * A fresh runner: a clone of the repository as it is now, with its own PULUMI_HOME and npm cache, and an
   * environment without the backend and credentials, which the pipeline file has to supply.
   */
  runner(): { dir: string; env: Record<string, string> };
  close(): Promise<void>;
}

/**
 * The repository a pipeline runs on, adopted as docs/pipelines.md says: the state in a bucket (versitygw
 * here), the stack created there once from a workstation with its file (holding the passphrase's salt)
 * committed, and the comment script at its path.
 */
export async function startCiWorld(options: Pick<WorldOptions, "seed" | "declarations">): Promise<CiWorld> {
  const s3 = await startS3Server();
  const clones: World[] = [];
  let world: World | undefined;
  const close = async () => {
    for (const clone of clones) await clone.close();
    await world?.close();
    await s3.stop();
  };
  try {
    world = await startWorld({ ...options, env: { PULUMI_BACKEND_URL: s3.backendUrl, ...s3.env } });
    fs.mkdirSync(path.dirname(path.join(world.project.dir, COMMENT_SCRIPT)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, COMMENT_SCRIPT), path.join(world.project.dir, COMMENT_SCRIPT));
    const init = await world.pulumi("stack", "init", STACK);
    if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr}`);
    if (!/^encryptionsalt: /m.test(fs.readFileSync(path.join(world.project.dir, "stacks", `Pulumi.${STACK}.yaml`), "utf8"))) {
      throw new Error("pulumi stack init wrote no encryptionsalt into the stack file");
    }
  } catch (error) {
    await close();
    throw error;
  }
  const committed = world;
  return {
    world: committed,
    s3,
    runner() {
      const clone = committed.clone();
      clones.push(clone);
      const env: Record<string, string> = {
        ...clone.env,
        // npx runs the project's own bin; offline, so that it never asks a registry for anything.
        npm_config_offline: "true",
        npm_config_cache: path.join(clone.project.dir, ".npm-cache"),
        npm_config_update_notifier: "false",
      };
      for (const name of PIPELINE_SUPPLIED) delete env[name];
      return { dir: clone.project.dir, env };
    },
    close,
  };
}

/** Every line of a job's output, for failure messages. */
export function transcript(result: JobResult): string {
  return result.steps.map((step) => `--- ${step.label} (exit ${step.code})\n${step.stdout}${step.stderr}`).join("\n");
}
