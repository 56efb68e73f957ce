import { z } from "zod";
import { OPERATIONS } from "../contract";
import { ConsumerSpecError, type ConsumerView } from "./consumers";
import { FaultSpecError, type Fault } from "./faults";
import { describeIssues } from "./issues";
import type { Reply } from "./operations";
import type { EmulatorMetrics, RequestLogEntry } from "./recorder";
import { SeedError } from "./seed";
import type { StateSnapshot } from "./state";

export interface ClockReading {
  /** Epoch ms on the emulator's clock. */
  now: number;
  iso: string;
  offsetMs: number;
}

/** Either shift the clock by `offsetMs` from real time, or set it to `time` (epoch ms or ISO-8601). */
export type ClockSetting = { offsetMs: number } | { time: number | string };

export interface ResetOptions {
  /** Also restore streams, apps and checkpoints to the seed (or to empty without one), and restart its consumers. */
  state?: boolean;
}

/** What the admin surface controls. The emulator handle implements it, so tests get it in-process too. */
export interface AdminTarget {
  requests(afterSeq?: number): RequestLogEntry[];
  metrics(): EmulatorMetrics & { checkpoints: number };
  faults(): Fault[];
  /** Takes a FaultSpec; validated at run time (FaultSpecError naming each problem), so it may come straight from JSON. */
  addFault(spec: unknown): Fault;
  removeFault(id: string): boolean;
  clearFaults(): void;
  clock(): ClockReading;
  setClock(setting: ClockSetting): ClockReading;
  /** Takes a ConsumerSpec; validated at run time (ConsumerSpecError naming each problem), like addFault. */
  addConsumer(spec: unknown): ConsumerView;
  consumers(): ConsumerView[];
  removeConsumer(id: string): boolean;
  /** Stops and forgets every simulated consumer. */
  stopConsumers(): void;
  /** Clears logs, faults, lockouts, the clock offset and consumers; see ResetOptions. */
  reset(options?: ResetOptions): void;
  snapshot(): StateSnapshot;
}

export interface AdminRequest {
  method: string;
  /** The path below `/_emulator`. */
  path: string;
  query: ReadonlyMap<string, string>;
  body: Buffer;
  remoteAddress: string | undefined;
}

const CLOCK_SETTING = z
  .object({
    offsetMs: z.number().int().optional(),
    time: z.union([z.number().int(), z.iso.datetime({ offset: true })]).optional(),
  })
  .strict()
  .refine((setting) => (setting.offsetMs === undefined) !== (setting.time === undefined), {
    message: "give exactly one of offsetMs (ms from real time) or time (epoch ms or ISO-8601)",
  });
const RESET_OPTIONS = z.object({ state: z.boolean().optional() }).strict();

const adminError = (status: number, message: string): Reply => ({ status, body: { error: message } });

/** Admin requests from anywhere but loopback are refused: the surface is unsigned. */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === "::1" || /^(?:::ffff:)?127\./.test(address));
}

export function handleAdmin(target: AdminTarget, request: AdminRequest): Reply {
  if (!isLoopback(request.remoteAddress)) return adminError(403, "the /_emulator/ admin surface answers loopback clients only");
  const route = `${request.method} ${request.path.replace(/\/$/, "")}`;
  try {
    return dispatch(target, route, request);
  } catch (error) {
    // A SeedError here comes from reset({ state: true }): a seed consumer naming an app that only the data file had.
    const refused = [FaultSpecError, ConsumerSpecError, SeedError, AdminInputError].some((kind) => error instanceof kind);
    if (refused) return adminError(400, (error as Error).message);
    throw error;
  }
}

class AdminInputError extends Error {}

/** The collections whose members `DELETE /<collection>/<id>` removes, and what one member is called. */
const REMOVABLE = {
  faults: { member: "fault", remove: (target: AdminTarget, id: string) => target.removeFault(id) },
  consumers: { member: "consumer", remove: (target: AdminTarget, id: string) => target.removeConsumer(id) },
} as const;

function dispatch(target: AdminTarget, route: string, request: AdminRequest): Reply {
  const byId = /^DELETE \/(faults|consumers)\/([^/]+)$/.exec(route);
  if (byId) {
    const { member, remove } = REMOVABLE[byId[1] as keyof typeof REMOVABLE];
    const id = byId[2] as string;
    return remove(target, decodeURIComponent(id)) ? { status: 204 } : adminError(404, `no ${member} with id ${id}`);
  }
  switch (route) {
    case "GET /requests":
      return { status: 200, body: { requests: filterRequests(target, request.query) } };
    case "GET /metrics":
      return { status: 200, body: target.metrics() };
    case "GET /faults":
      return { status: 200, body: { faults: target.faults() } };
    case "POST /faults":
      return { status: 201, body: { id: target.addFault(parseBody(request.body)).id } };
    case "DELETE /faults":
      target.clearFaults();
      return { status: 204 };
    case "GET /consumers":
      return { status: 200, body: { consumers: target.consumers() } };
    case "POST /consumers":
      return { status: 201, body: target.addConsumer(parseBody(request.body)) };
    case "DELETE /consumers":
      target.stopConsumers();
      return { status: 204 };
    case "GET /clock":
      return { status: 200, body: target.clock() };
    case "POST /clock":
      return { status: 200, body: target.setClock(clockSetting(parseBody(request.body))) };
    case "POST /reset":
      target.reset(parseWith(RESET_OPTIONS, request.body.length === 0 ? {} : parseBody(request.body), "reset"));
      return { status: 204 };
    case "GET /state":
      return { status: 200, body: target.snapshot() };
    default:
      return adminError(404, `no admin route ${route}; see docs/emulator.md`);
  }
}

function clockSetting(body: unknown): ClockSetting {
  const { offsetMs, time } = parseWith(CLOCK_SETTING, body, "clock");
  return offsetMs !== undefined ? { offsetMs } : { time: time as number | string };
}

function filterRequests(target: AdminTarget, query: ReadonlyMap<string, string>): RequestLogEntry[] {
  const after = query.get("after");
  const operation = query.get("operation");
  if (after !== undefined && !/^\d+$/.test(after)) throw new AdminInputError(`after must be a request seq, got ${after}`);
  if (operation !== undefined && !(OPERATIONS as readonly string[]).includes(operation)) {
    throw new AdminInputError(`unknown operation ${operation}; expected one of ${OPERATIONS.join(", ")}`);
  }
  const requests = target.requests(after === undefined ? 0 : Number(after));
  return operation === undefined ? requests : requests.filter((entry) => entry.operation === operation);
}

function parseBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new AdminInputError(`the body must be JSON: ${(error as Error).message}`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AdminInputError(`invalid ${what} request: ${describeIssues(parsed.error, what)}`);
  return parsed.data;
}
