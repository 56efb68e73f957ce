/** A user-facing failure of a replay command: what went wrong, where, and what to do. Exit status 1. */
export class ReplayError extends Error {
  override name = "ReplayError";
}
