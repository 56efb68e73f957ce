import { z } from "zod";
import { OPERATIONS, type OperationName } from "../contract";
import { errors, type EmulatorError } from "./errors";
import { describeIssues } from "./issues";

const MAX_LATENCY_MS = 10 * 60 * 1000;

/**
 * What the admin surface accepts. `when: "after"` applies the fault once the request has been handled (state
 * changed), which is how a lost response to a successful commit looks to a client.
 */
export const FAULT_SPEC = z
  .object({
    operation: z.enum(OPERATIONS).optional(),
    kind: z.enum(["latency", "status", "reset", "no-response"]),
    latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS).optional(),
    status: z.number().int().min(400).max(599).optional(),
    code: z.string().regex(/^[A-Z]+\.\d{4}$/, "expected an error code such as DIS.4303 or APIGW.0308").optional(),
    message: z.string().max(1000).optional(),
    retryAfter: z.number().min(0).max(3600).optional(),
    count: z.number().int().min(1).optional(),
    skip: z.number().int().min(0).optional(),
    probability: z.number().min(0).max(1).optional(),
    when: z.enum(["before", "after"]).optional(),
  })
  .strict()
  .superRefine((spec, context) => {
    if (spec.kind === "latency" && spec.latencyMs === undefined) {
      context.addIssue({ code: "custom", path: ["latencyMs"], message: "latency faults need latencyMs" });
    }
    if (spec.kind === "status" && spec.status === undefined) {
      context.addIssue({ code: "custom", path: ["status"], message: "status faults need status (400-599)" });
    }
  });

export type FaultSpec = z.input<typeof FAULT_SPEC>;

export interface Fault extends FaultSpec {
  id: string;
  /** Requests it has applied to so far. */
  applied: number;
}

export type FaultPhase = "before" | "after";

/** Raised for a fault spec that does not validate; the message lists each problem with its field. */
export class FaultSpecError extends Error {
  override name = "FaultSpecError";
}

export class FaultRegistry {
  private readonly faults = new Map<string, Fault>();
  /** Matching requests each fault let through so far, of the `skip` it lets through first. */
  private readonly skipped = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {}

  /** Validates first: a spec from JSON may be anything. */
  add(spec: unknown): Fault {
    const parsed = FAULT_SPEC.safeParse(spec);
    if (!parsed.success) throw new FaultSpecError(`invalid fault: ${describeIssues(parsed.error, "fault")}`);
    const fault: Fault = { ...parsed.data, id: `fault-${this.nextId++}`, applied: 0 };
    this.faults.set(fault.id, fault);
    return fault;
  }

  list(): Fault[] {
    return [...this.faults.values()].map((fault) => ({ ...fault }));
  }

  remove(id: string): boolean {
    return this.faults.delete(id);
  }

  clear(): void {
    this.faults.clear();
  }

  /**
   * The faults that fire for one request in one phase: every latency fault that fires, then at most one
   * terminal fault (status, reset, no-response), the first registered. Firing uses up a fault's count;
   * a fault whose count is spent disappears.
   */
  fire(operation: OperationName | undefined, phase: FaultPhase): Fault[] {
    const fired: Fault[] = [];
    let terminal = false;
    for (const fault of this.faults.values()) {
      if ((fault.when ?? "before") !== phase) continue;
      if (fault.operation !== undefined && fault.operation !== operation) continue;
      if (fault.kind !== "latency" && terminal) continue;
      const skipped = this.skipped.get(fault.id) ?? 0;
      if (skipped < (fault.skip ?? 0)) {
        this.skipped.set(fault.id, skipped + 1);
        continue;
      }
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      fault.applied += 1;
      if (fault.count !== undefined && fault.applied >= fault.count) this.faults.delete(fault.id);
      fired.push(fault);
      terminal ||= fault.kind !== "latency";
    }
    return fired;
  }
}

/**
 * The error a status fault answers with. Without a code: 429 is the gateway's throttling error and 500 DIS's
 * system error; other statuses get no JSON at all (`undefined`), like a load balancer's plain-text page.
 */
export function injectedError(fault: Fault): EmulatorError | undefined {
  const status = fault.status ?? 500;
  const code = fault.code ?? (status === 429 ? "APIGW.0308" : status === 500 ? "DIS.5000" : undefined);
  return code === undefined ? undefined : errors.injected(status, code, fault.message);
}
