/** A loopback HTTP server whose answers a test scripts, recording every request and connection. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A reply, or what to do to the connection instead. */
export type Script = Reply | "reset" | "hang";
export type Handler = (request: RecordedRequest, index: number) => Script;

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  /** Connections accepted so far. */
  connections(): number;
  /** Most requests seen in flight at once. */
  maxInFlight(): number;
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startScriptedServer(initial: Handler = () => ({ status: 200, body: {} })): Promise<ScriptedServer> {
  let handler = initial;
  let connections = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(recorded);
      const script = handler(recorded, requests.length - 1);
      if (script === "hang") return;
      inFlight -= 1;
      if (script === "reset") {
        req.socket.destroy();
        return;
      }
      const text = script.body === undefined ? "" : typeof script.body === "string" ? script.body : JSON.stringify(script.body);
      res.writeHead(script.status, { "content-type": "application/json", ...script.headers });
      res.end(text);
    });
  });
  server.on("connection", (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    maxInFlight: () => maxInFlight,
    handle(next) {
      handler = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
