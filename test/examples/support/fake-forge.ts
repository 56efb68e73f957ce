/**
 * A fake of the two comment APIs examples/ci/post-plan-comment.mjs calls, on 127.0.0.1 with an ephemeral
 * port: GitHub's issue comments (`/repos/{owner}/{repo}/issues/{number}/comments`, `/repos/{owner}/{repo}/
 * issues/comments/{id}`) and GitLab's merge-request notes (`/api/v4/projects/{id}/merge_requests/{iid}/
 * notes[/{id}]`), paged like the real ones (`per_page`, `page`). Requests need the expected token and are
 * logged; anything else is a 404.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface ForgeComment {
  id: number;
  body: string;
  /** GitLab only: notes GitLab writes itself ("added 1 commit"). */
  system?: boolean;
  author: string;
}

export interface ForgeRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  /** The credential the request carried: `Bearer …` (GitHub) or the PRIVATE-TOKEN header (GitLab). */
  credential: string | undefined;
}

export interface FakeForge {
  /** What $GITHUB_API_URL would be. */
  githubApi: string;
  /** What $CI_API_V4_URL would be. */
  gitlabApi: string;
  /** The comments of a thread: `github:owner/name#7` or `gitlab:<project id or path>!12`, oldest first. */
  thread(key: string): ForgeComment[];
  /** Adds a comment someone else wrote, without a request. */
  seed(key: string, comment: Omit<ForgeComment, "id">): ForgeComment;
  /** Requests received since the last call. */
  takeRequests(): ForgeRequest[];
  close(): Promise<void>;
}

export async function startFakeForge(options: { token: string }): Promise<FakeForge> {
  const threads = new Map<string, ForgeComment[]>();
  let nextId = 1000;
  let log: ForgeRequest[] = [];
  const thread = (key: string) => {
    let comments = threads.get(key);
    if (comments === undefined) threads.set(key, (comments = []));
    return comments;
  };
  const add = (key: string, comment: Omit<ForgeComment, "id">) => {
    const created = { ...comment, id: nextId++ };
    thread(key).push(created);
    return created;
  };

  const server = http.createServer((request, response) => {
    let raw = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (raw += chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const github = request.headers.authorization;
      const gitlab = request.headers["private-token"];
      const credential = typeof gitlab === "string" ? gitlab : github;
      log.push({ method: request.method ?? "", url: request.url ?? "", credential });
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      const page = (comments: ForgeComment[]) => {
        const perPage = Number(url.searchParams.get("per_page") ?? "30");
        const number = Number(url.searchParams.get("page") ?? "1");
        return comments.slice((number - 1) * perPage, number * perPage);
      };
      const body = () => (JSON.parse(raw) as { body: string }).body;

      let match: RegExpExecArray | null;
      if ((match = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
        if (github !== `Bearer ${options.token}`) return send(401, { message: "Bad credentials" });
        const key = `github:${match[1]}#${match[2]}`;
        if (request.method === "GET") return send(200, page(thread(key)).map(({ id, body, author }) => ({ id, body, user: { login: author } })));
        if (request.method === "POST") {
          const created = add(key, { body: body(), author: "github-actions[bot]" });
          return send(201, { id: created.id, body: created.body, user: { login: created.author } });
        }
      }
      if ((match = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)) && request.method === "PATCH") {
        if (github !== `Bearer ${options.token}`) return send(401, { message: "Bad credentials" });
        const comment = [...threads.entries()]
          .filter(([key]) => key.startsWith(`github:${match![1]}#`))
          .flatMap(([, comments]) => comments)
          .find((candidate) => candidate.id === Number(match![2]));
        if (comment === undefined) return send(404, { message: "Not Found" });
        comment.body = body();
        return send(200, { id: comment.id, body: comment.body });
      }
      if ((match = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(url.pathname))) {
        if (gitlab !== options.token) return send(401, { message: "401 Unauthorized" });
        const key = `gitlab:${decodeURIComponent(match[1]!)}!${match[2]}`;
        if (match[3] === undefined && request.method === "GET") return send(200, page(thread(key)).map(({ id, body, system, author }) => ({ id, body, system: system ?? false, author: { username: author } })));
        if (match[3] === undefined && request.method === "POST") {
          const created = add(key, { body: body(), system: false, author: "project_42_bot" });
          return send(201, { id: created.id, body: created.body, system: false });
        }
        if (match[3] !== undefined && request.method === "PUT") {
          const note = thread(key).find((candidate) => candidate.id === Number(match![3]));
          if (note === undefined) return send(404, { message: "404 Not found" });
          note.body = body();
          return send(200, { id: note.id, body: note.body, system: false });
        }
      }
      send(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    githubApi: base,
    gitlabApi: `${base}/api/v4`,
    thread: (key) => thread(key).map((comment) => ({ ...comment })),
    seed: add,
    takeRequests() {
      const taken = log;
      log = [];
      return taken;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
