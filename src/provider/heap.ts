/**
 * The provider process's garbage collector, set for the work it does: a live set of tens of megabytes (the
 * declarations and the commits of the run) and a high allocation rate while commits are in flight. On a
 * machine with gigabytes of memory V8 lets the old generation grow to about four times the live set between
 * full collections, so a first apply of 100,000 checkpoints peaked at about 400 MiB RSS for under 80 MiB
 * live. Capping each growth at half the live set costs a few more full collections, each of a few
 * milliseconds at that size, and no measurable time; set after start-up, it still takes effect (both
 * measured: bench/README.md, "Provider memory"). The process runs this provider alone (the project's program
 * is its only client), so the setting reaches nothing else. Setting it again is harmless.
 */
import * as v8 from "node:v8";

const HEAP_GROWING_PERCENT = 50;

export function boundHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
