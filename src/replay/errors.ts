/** A user-facing failure of a replay command: what went wrong, where, and what to do. Exit status 1. */
import { ProjectError } from "../errors";

export class ReplayError extends ProjectError {
  override name = "ReplayError";
  readonly code = "replay";
}
