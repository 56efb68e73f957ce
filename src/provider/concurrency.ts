/**
 * Runs `task` over `items` with at most `limit` in flight. On the first failure no new task starts; the
 * ones in flight finish, and the first error is rethrown with the number that completed, because a caller
 * reporting a half-done batch of commits must say how far it got.
 */
import { ProjectError } from "../errors";

export class PartialFailure extends ProjectError {
  override name = "PartialFailure";
  readonly code = "partial";
  constructor(
    /** The first failure: it decides how this one is shown (isUserError). */
    readonly wraps: unknown,
    readonly completed: number,
    readonly total: number,
  ) {
    super(wraps instanceof Error ? wraps.message : String(wraps), { cause: wraps });
  }
}

export async function runBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let completed = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
        completed++;
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (failure !== undefined) throw new PartialFailure(failure.error, completed, items.length);
}
