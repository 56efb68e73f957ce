#!/usr/bin/env node
/**
 * Posts a `dis-checkpoints plan` as ONE pull-request comment (GitHub) or merge-request note (GitLab), and
 * edits that same comment on every later run, so a pull request shows the current plan once instead of a
 * new comment per push. Used by examples/ci/github/dis-checkpoints.yml and examples/ci/gitlab/.gitlab-ci.yml.
 *
 *   PLAN_COMMENT_TOKEN=... node examples/ci/post-plan-comment.mjs github|gitlab \
 *     --api URL --repo REPO --number N --file plan.md
 *
 * - `--api`: the API base URL: $GITHUB_API_URL on GitHub, $CI_API_V4_URL on GitLab.
 * - `--repo`: `owner/name` on GitHub ($GITHUB_REPOSITORY); the project id or path on GitLab ($CI_PROJECT_ID).
 * - `--number`: the pull request's number, or the merge request's iid ($CI_MERGE_REQUEST_IID).
 * - `--file`: the comment. Its first line must be an HTML comment, the marker (`<!-- dis-checkpoints plan: prod -->`):
 *   the comment whose first line is that marker is the one edited; without one, a comment is created.
 * - The token comes from the environment variable PLAN_COMMENT_TOKEN, never from the command line (which CI
 *   logs can show): a token allowed to write pull-request comments on GitHub (the job's GITHUB_TOKEN with
 *   `pull-requests: write`), a project access token with the `api` scope on GitLab.
 *
 * Prints what it did (`created comment 17`, `updated comment 17 in place`, `comment 17 already shows this
 * plan`). Exit status: 0 done, 1 the API refused or could not be reached, 2 usage error. Node.js 20 or newer,
 * no dependencies.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** The token's environment variable. */
export const TOKEN_ENV = "PLAN_COMMENT_TOKEN";

const PER_PAGE = 100;
/** At most this many pages of comments are read (10,000 comments), so a broken pager cannot loop forever. */
const MAX_PAGES = 100;
const REQUEST_TIMEOUT_MS = 30_000;

export class UsageError extends Error {}

/** The marker line of a comment text: its first line, which must be an HTML comment. */
export function markerOf(text) {
  const first = firstLine(text);
  if (!/^<!--.*-->$/.test(first)) {
    throw new UsageError(`the comment's first line must be its marker, an HTML comment such as <!-- dis-checkpoints plan: prod -->, not ${JSON.stringify(first.slice(0, 80))}`);
  }
  return first;
}

function firstLine(text) {
  return String(text).split("\n", 1)[0].replace(/\r$/, "").trim();
}

/**
 * What to do with `body`, given the comments already on the pull request (in the order the API lists them,
 * oldest first): update the first one that starts with the marker, or create one. GitLab's system notes
 * ("added 1 commit") are never candidates.
 */
export function decide(comments, marker, body) {
  const found = comments.find((comment) => comment.system !== true && typeof comment.body === "string" && firstLine(comment.body) === marker);
  if (found === undefined) return { action: "create" };
  return found.body === body ? { action: "unchanged", id: found.id } : { action: "update", id: found.id };
}

/** The two APIs: where comments are listed, created and edited, and how a request authenticates. */
export const FORGES = {
  github: {
    noun: "comment",
    headers: (token) => ({
      authorization: `Bearer ${token}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      "user-agent": "dis-checkpoints-plan-comment",
    }),
    checkRepo: (repo) => /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo),
    list: ({ repo, number }, page) => `/repos/${repo}/issues/${number}/comments?per_page=${PER_PAGE}&page=${page}`,
    create: ({ repo, number }) => ["POST", `/repos/${repo}/issues/${number}/comments`],
    update: ({ repo }, id) => ["PATCH", `/repos/${repo}/issues/comments/${id}`],
  },
  gitlab: {
    noun: "note",
    headers: (token) => ({ "private-token": token }),
    checkRepo: (repo) => repo.length > 0,
    list: ({ repo, number }, page) =>
      `/projects/${encodeURIComponent(repo)}/merge_requests/${number}/notes?sort=asc&order_by=created_at&per_page=${PER_PAGE}&page=${page}`,
    create: ({ repo, number }) => ["POST", `/projects/${encodeURIComponent(repo)}/merge_requests/${number}/notes`],
    update: ({ repo, number }, id) => ["PUT", `/projects/${encodeURIComponent(repo)}/merge_requests/${number}/notes/${id}`],
  },
};

/**
 * Creates or edits the one marked comment. Returns `{ action, id }` with action `created`, `updated` or
 * `unchanged`. `fetchImpl` is for tests; the token is sent only in the request headers.
 */
export async function postPlanComment({ forge, api, repo, number, body, token, fetchImpl = fetch }) {
  const spec = FORGES[forge];
  if (spec === undefined) throw new UsageError(`the first argument must be github or gitlab, not ${JSON.stringify(forge)}`);
  if (!/^https?:\/\/[^\s]+$/.test(api ?? "")) throw new UsageError(`--api must be an http(s) URL, not ${JSON.stringify(api)}`);
  if (!spec.checkRepo(repo ?? "")) throw new UsageError(`--repo ${JSON.stringify(repo)} is not a ${forge === "github" ? "owner/name repository" : "project id or path"}`);
  if (!/^[1-9]\d*$/.test(number ?? "")) throw new UsageError(`--number must be a pull/merge request number, not ${JSON.stringify(number)}`);
  if (!token) throw new UsageError(`${TOKEN_ENV} is empty: set it to a token allowed to write ${spec.noun}s`);
  const marker = markerOf(body);
  const target = { repo, number };
  const base = api.replace(/\/+$/, "");
  const call = async (method, path, payload) => {
    let response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method,
        headers: { ...spec.headers(token), ...(payload === undefined ? {} : { "content-type": "application/json" }) },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(`${method} ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
    return text === "" ? undefined : JSON.parse(text);
  };

  const comments = [];
  for (let page = 1; ; page++) {
    if (page > MAX_PAGES) throw new Error(`more than ${MAX_PAGES * PER_PAGE} ${spec.noun}s: not looking further for the marker`);
    const listed = await call("GET", spec.list(target, page));
    if (!Array.isArray(listed)) throw new Error(`GET ${spec.list(target, page)} did not answer a list`);
    comments.push(...listed);
    if (listed.length < PER_PAGE) break;
  }

  const decision = decide(comments, marker, body);
  if (decision.action === "unchanged") return { action: "unchanged", id: decision.id };
  if (decision.action === "update") {
    const [method, path] = spec.update(target, decision.id);
    await call(method, path, { body });
    return { action: "updated", id: decision.id };
  }
  const [method, path] = spec.create(target);
  const created = await call(method, path, { body });
  return { action: "created", id: created?.id };
}

function describe(result, noun) {
  if (result.action === "created") return `created ${noun} ${result.id}`;
  if (result.action === "updated") return `updated ${noun} ${result.id} in place`;
  return `${noun} ${result.id} already shows this plan`;
}

async function main(argv, env) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { api: { type: "string" }, repo: { type: "string" }, number: { type: "string" }, file: { type: "string" } },
    });
    if (parsed.positionals.length !== 1) throw new UsageError("give the forge, github or gitlab, as the one argument");
    if (parsed.values.file === undefined) throw new UsageError("--file is required");
  } catch (error) {
    process.stderr.write(`post-plan-comment: ${error.message}\n`);
    return 2;
  }
  const [forge] = parsed.positionals;
  try {
    const body = readFileSync(parsed.values.file, "utf8");
    const result = await postPlanComment({ forge, ...parsed.values, body, token: env[TOKEN_ENV] });
    process.stdout.write(`post-plan-comment: ${describe(result, FORGES[forge].noun)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`post-plan-comment: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
