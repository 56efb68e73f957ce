/**
 * examples/ci/post-plan-comment.mjs, which both pipeline examples call to keep ONE plan comment per pull
 * request (GitHub) or merge request (GitLab): its decision (create, edit in place, leave alone) as a pure
 * function, and the script itself as CI runs it, against a fake of each API on 127.0.0.1.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/workspace";
import { run } from "../support/project";
import { startFakeForge, type FakeForge } from "./support/fake-forge";

const SCRIPT = path.join(PROJECT_ROOT, "examples", "ci", "post-plan-comment.mjs");
const TOKEN = "test-forge-token-0001";

interface Comment {
  id: number;
  body: string;
  system?: boolean;
}
interface ScriptModule {
  decide(comments: Comment[], marker: string, body: string): { action: "create" | "update" | "unchanged"; id?: number };
  markerOf(text: string): string;
}

let script: ScriptModule;
beforeAll(async () => {
  // A computed specifier: the script is plain JavaScript without type declarations.
  const specifier = pathToFileURL(SCRIPT).href;
  script = (await import(specifier)) as ScriptModule;
});

describe("which comment the plan goes to", () => {
  const marker = "<!-- dis-checkpoints plan: prod -->";
  const body = `${marker}\n### dis-checkpoints plan for stack \`prod\`\n`;

  it("creates one when no comment starts with the marker", () => {
    expect(script.decide([], marker, body)).toEqual({ action: "create" });
    const others: Comment[] = [
      { id: 1, body: "LGTM" },
      // Quoting the marker further down does not make a comment the plan's.
      { id: 2, body: `> ${marker}\n> old plan` },
      { id: 3, body: `see below\n${marker}` },
      // Another stack's plan is another comment.
      { id: 4, body: "<!-- dis-checkpoints plan: dr -->\n..." },
    ];
    expect(script.decide(others, marker, body)).toEqual({ action: "create" });
  });

  it("edits the first comment whose first line is the marker, and leaves it alone when it already shows the plan", () => {
    const comments: Comment[] = [
      { id: 1, body: "LGTM" },
      { id: 7, body: `${marker}\r\nthe old plan` },
      { id: 9, body: `${marker}\nanother copy` },
    ];
    expect(script.decide(comments, marker, body)).toEqual({ action: "update", id: 7 });
    expect(script.decide([{ id: 7, body }], marker, body)).toEqual({ action: "unchanged", id: 7 });
  });

  it("never picks a GitLab system note", () => {
    expect(script.decide([{ id: 5, body: `${marker}\n`, system: true }], marker, body)).toEqual({ action: "create" });
  });

  it("takes the marker from the file's first line, which must be an HTML comment", () => {
    expect(script.markerOf(body)).toBe(marker);
    expect(() => script.markerOf("### dis-checkpoints plan\n")).toThrow(/first line must be its marker/);
  });
});

describe("the script against a fake API", () => {
  let forge: FakeForge;
  let dir: string;
  beforeAll(async () => {
    forge = await startFakeForge({ token: TOKEN });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dis-checkpoints-comment-"));
  });
  afterAll(async () => {
    await forge?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const post = (forgeName: "github" | "gitlab", args: string[], text: string, token: string | null = TOKEN) => {
    const file = path.join(dir, "plan.md");
    fs.writeFileSync(file, text);
    const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
    // null: the variable is not set at all.
    if (token !== null) env.PLAN_COMMENT_TOKEN = token;
    return run(process.execPath, [SCRIPT, forgeName, ...args, "--file", file], { env, timeoutMs: 30_000 });
  };
  const plan = (stack: string, text: string) => `<!-- dis-checkpoints plan: ${stack} -->\n### dis-checkpoints plan for stack \`${stack}\`\n\n${text}\n`;
  const marked = <T extends { body: string }>(comments: T[], stack: string) => comments.filter((comment) => comment.body.startsWith(`<!-- dis-checkpoints plan: ${stack} -->\n`));

  it("GitHub: creates the comment on the first run, edits it in place on the second, leaves it on the third; one comment", async () => {
    const thread = "github:acme/checkpoints#7";
    // 150 comments already: the plan's own lands on the second page, which the script must read.
    for (let i = 0; i < 150; i++) forge.seed(thread, { body: `review comment ${i}`, author: "reviewer" });
    forge.seed(thread, { body: plan("dr", "the other stack's plan"), author: "github-actions[bot]" });
    const args = ["--api", forge.githubApi, "--repo", "acme/checkpoints", "--number", "7"];
    forge.takeRequests();

    const first = await post("github", args, plan("prod", "3 to commit"));
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const [created] = marked(forge.thread(thread), "prod");
    expect(first.stdout).toBe(`post-plan-comment: created comment ${created!.id}\n`);
    expect(forge.takeRequests().map((request) => `${request.method} ${request.url}`)).toEqual([
      "GET /repos/acme/checkpoints/issues/7/comments?per_page=100&page=1",
      "GET /repos/acme/checkpoints/issues/7/comments?per_page=100&page=2",
      "POST /repos/acme/checkpoints/issues/7/comments",
    ]);

    const second = await post("github", args, plan("prod", "1 to commit"));
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`post-plan-comment: updated comment ${created!.id} in place\n`);
    const requests = forge.takeRequests();
    expect(requests.map((request) => request.method)).toEqual(["GET", "GET", "PATCH"]);
    expect(requests.at(-1)!.url).toBe(`/repos/acme/checkpoints/issues/comments/${created!.id}`);
    expect(requests.map((request) => request.credential)).toEqual(requests.map(() => `Bearer ${TOKEN}`));

    const third = await post("github", args, plan("prod", "1 to commit"));
    expect(third.code).toBe(0);
    expect(third.stdout).toBe(`post-plan-comment: comment ${created!.id} already shows this plan\n`);
    expect(forge.takeRequests().map((request) => request.method)).toEqual(["GET", "GET"]);

    const comments = forge.thread(thread);
    expect(comments).toHaveLength(152);
    expect(marked(comments, "prod")).toEqual([{ id: created!.id, body: plan("prod", "1 to commit"), author: "github-actions[bot]" }]);
    expect(marked(comments, "dr")).toHaveLength(1);
  });

  it("GitLab: the same with merge-request notes, a project path and system notes", async () => {
    const thread = "gitlab:acme/checkpoints!12";
    forge.seed(thread, { body: "added 1 commit", system: true, author: "alice" });
    forge.seed(thread, { body: "please check the replay of partition 3", author: "bob" });
    const args = ["--api", forge.gitlabApi, "--repo", "acme/checkpoints", "--number", "12"];
    forge.takeRequests();

    const first = await post("gitlab", args, plan("prod", "2 to commit"));
    expect(first.code).toBe(0);
    const [created] = marked(forge.thread(thread), "prod");
    expect(first.stdout).toBe(`post-plan-comment: created note ${created!.id}\n`);
    expect(forge.takeRequests().map((request) => `${request.method} ${request.url}`)).toEqual([
      "GET /api/v4/projects/acme%2Fcheckpoints/merge_requests/12/notes?sort=asc&order_by=created_at&per_page=100&page=1",
      "POST /api/v4/projects/acme%2Fcheckpoints/merge_requests/12/notes",
    ]);

    const second = await post("gitlab", args, plan("prod", "nothing to commit"));
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`post-plan-comment: updated note ${created!.id} in place\n`);
    const requests = forge.takeRequests();
    expect(requests.map((request) => `${request.method} ${request.url.split("?")[0]}`)).toEqual([
      "GET /api/v4/projects/acme%2Fcheckpoints/merge_requests/12/notes",
      `PUT /api/v4/projects/acme%2Fcheckpoints/merge_requests/12/notes/${created!.id}`,
    ]);
    expect(requests.map((request) => request.credential)).toEqual(requests.map(() => TOKEN));
    const notes = forge.thread(thread);
    expect(notes).toHaveLength(3);
    expect(marked(notes, "prod").map((note) => note.body)).toEqual([plan("prod", "nothing to commit")]);
  });

  it("a refused token fails with the API's answer and never prints the token", async () => {
    const result = await post("github", ["--api", forge.githubApi, "--repo", "acme/checkpoints", "--number", "8"], plan("prod", "x"), "wrong-token-value");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'post-plan-comment: GET /repos/acme/checkpoints/issues/8/comments?per_page=100&page=1 answered HTTP 401: {"message":"Bad credentials"}\n',
    );
    expect(result.stdout + result.stderr).not.toContain("wrong-token-value");
    expect(forge.thread("github:acme/checkpoints#8")).toEqual([]);
  });

  it("usage errors exit 2 before any request: no marker line, no token, a bad number", async () => {
    const args = ["--api", forge.githubApi, "--repo", "acme/checkpoints", "--number", "9"];
    forge.takeRequests();
    const unmarked = await post("github", args, "### a plan without its marker\n");
    expect(unmarked.code).toBe(2);
    expect(unmarked.stderr).toContain("the comment's first line must be its marker, an HTML comment");
    const tokenless = await post("github", args, plan("prod", "x"), null);
    expect(tokenless.code).toBe(2);
    expect(tokenless.stderr).toBe("post-plan-comment: PLAN_COMMENT_TOKEN is empty: set it to a token allowed to write comments\n");
    const badNumber = await post("github", ["--api", forge.githubApi, "--repo", "acme/checkpoints", "--number", "7; rm -rf /"], plan("prod", "x"));
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain("--number must be a pull/merge request number");
    const noForge = await post("bitbucket" as "github", args, plan("prod", "x"));
    expect(noForge.code).toBe(2);
    expect(forge.takeRequests()).toEqual([]);
  });
});
