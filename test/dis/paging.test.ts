import { describe, expect, it } from "vitest";
import { DisProtocolError } from "../../src/dis/errors";
import { collectPages } from "../../src/dis/paging";
import type { Page } from "../../src/dis/responses";

/** A fake listing: answers each "after" from a table and records the keys it was asked for. */
function listing(pages: Record<string, Page<string>>) {
  const asked: Array<string | undefined> = [];
  const fetchPage = async (after: string | undefined) => {
    asked.push(after);
    const page = pages[after ?? ""];
    if (!page) throw new Error(`unexpected after=${after}`);
    return page;
  };
  return { asked, fetchPage };
}

describe("collectPages", () => {
  it("follows the last item of each page until no more", async () => {
    const { asked, fetchPage } = listing({
      "": { items: ["a", "b"], hasMore: true },
      b: { items: ["c", "d"], hasMore: true },
      d: { items: ["e"], hasMore: false },
    });
    await expect(collectPages("ListApps", fetchPage, (item) => item)).resolves.toEqual(["a", "b", "c", "d", "e"]);
    expect(asked).toEqual([undefined, "b", "d"]);
  });

  it("stops at a single page", async () => {
    const { asked, fetchPage } = listing({ "": { items: [], hasMore: false } });
    await expect(collectPages("ListApps", fetchPage, (item) => item)).resolves.toEqual([]);
    expect(asked).toEqual([undefined]);
  });

  it("uses the key function", async () => {
    const { asked, fetchPage } = listing({ "": { items: ["x1"], hasMore: true }, "key-x1": { items: ["x2"], hasMore: false } });
    await expect(collectPages("ListApps", fetchPage, (item) => `key-${item}`)).resolves.toEqual(["x1", "x2"]);
    expect(asked).toEqual([undefined, "key-x1"]);
  });

  it.each<[string, Record<string, Page<string>>, number, string]>([
    ["an empty page that says more follow", { "": { items: ["a"], hasMore: true }, a: { items: [], hasMore: true } }, 100, "page 2 is empty but says more follow"],
    ["a key that does not advance", { "": { items: ["a"], hasMore: true }, a: { items: ["a"], hasMore: true } }, 100, 'page 2 repeats the previous page\'s last item "a"'],
    ["a listing longer than the bound", { "": { items: ["a"], hasMore: true }, a: { items: ["b"], hasMore: true }, b: { items: ["c"], hasMore: true } }, 2, "still more pages after 2"],
  ])("refuses %s", async (_name, pages, maxPages, detail) => {
    const { fetchPage } = listing(pages);
    await expect(collectPages("ListStreams", fetchPage, (item) => item, maxPages)).rejects.toThrow(new DisProtocolError("ListStreams", detail));
  });
});
