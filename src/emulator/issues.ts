import type { z } from "zod";

/** `path: message` for each problem zod found, joined; `what` names the whole value when the path is empty. */
export function describeIssues(error: z.ZodError, what: string): string {
  return error.issues.map((issue) => `${issue.path.join(".") || what}: ${issue.message}`).join("; ");
}
