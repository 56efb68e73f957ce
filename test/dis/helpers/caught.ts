/** What `run` throws; fails the test when it returns normally. */
export function caught(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error, but the call returned normally");
}

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejected(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection, but the call resolved");
}
