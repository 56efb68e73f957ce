/**
 * The one error vocabulary of the project. Every error raised on purpose extends ProjectError and carries a
 * stable `code` (DIS's own, such as `DIS.4301` or `APIGW.0308`, or ours, such as `settings` or `usage`),
 * matched by code rather than by class: the provider process can hold its own copy of these classes, so
 * `instanceof` across that boundary is unreliable, and the brand below is shared through Symbol.for.
 *
 * One rule decides how an error is shown, in the program, the CLI and the provider alike: a user-facing
 * error (a mistake in the input or the settings, or DIS refusing or unreachable) is shown as its message
 * alone, with what to do; anything else is a defect in this project and keeps its stack trace.
 */

const BRAND = Symbol.for("dis-checkpoints.error");

export abstract class ProjectError extends Error {
  abstract readonly code: string;
  /** False for errors that mean a defect here rather than something the user can act on. */
  readonly userFacing: boolean = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, BRAND, { value: true });
  }
}

export function isProjectError(error: unknown): error is ProjectError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** Whether to show the error as its message alone. Errors wrapping another (`wraps`) take the inner one's side. */
export function isUserError(error: unknown): boolean {
  if (!isProjectError(error)) return false;
  const inner = (error as { wraps?: unknown }).wraps;
  return inner === undefined ? error.userFacing : isUserError(inner);
}

/** The message to show for any failure: the message of a user-facing error, the stack of anything else. */
export function describeError(error: unknown): string {
  if (isUserError(error)) return (error as Error).message;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
