/** Walking a listing that DIS returns in pages, each asked for "after" the last item of the previous one. */
import type { OperationName } from "../contract";
import { DisProtocolError } from "./errors";
import type { Page } from "./responses";

/** Far above any real listing (100 items per page); only a server that never stops reaches it. */
export const MAX_PAGES = 10_000;

/**
 * Calls `fetchPage(undefined)`, then `fetchPage(keyOf(last item))` while the server reports more. Stops with a
 * DisProtocolError when a page claiming more is empty, when the key does not advance, or after `maxPages`.
 */
export async function collectPages<T>(
  operation: OperationName,
  fetchPage: (after: string | undefined) => Promise<Page<T>>,
  keyOf: (item: T) => string,
  maxPages = MAX_PAGES,
): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (let pageNumber = 1; pageNumber <= maxPages; pageNumber += 1) {
    const page = await fetchPage(after);
    items.push(...page.items);
    if (!page.hasMore) return items;
    const last = page.items[page.items.length - 1];
    if (last === undefined) throw new DisProtocolError(operation, `page ${pageNumber} is empty but says more follow`);
    const next = keyOf(last);
    if (next === after) throw new DisProtocolError(operation, `page ${pageNumber} repeats the previous page's last item ${JSON.stringify(next)}`);
    after = next;
  }
  throw new DisProtocolError(operation, `still more pages after ${maxPages}`);
}
