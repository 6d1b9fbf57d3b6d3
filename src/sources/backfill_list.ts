/**
 * Lists the planned prefixes of a backfill a few at a time, ahead of the
 * objects being processed, and hands them out in plan order. Each prefix
 * resumes after its checkpoint; a prefix marked done is not listed at all.
 * @module
 */
import type { Store } from "../store/db.ts";
import type { PlannedPrefix, PrefixLister } from "./backfill_plan.ts";
import type { BackfillSource, ListedObject } from "./backfill_source.ts";
import { readPrefixCheckpoint } from "./backfill_resume.ts";
import { isObjectProcessed } from "../store/objects.ts";
import { UsageError } from "../errors.ts";

/** Prefixes listed at once, ahead of processing. */
export const LIST_AHEAD = 4;

/** The listing of one planned prefix. */
export type PrefixListing =
  | { kind: "done" }
  | { kind: "objects"; objects: ListedObject[] }
  | { kind: "error"; message: string };

/**
 * Yields each planned prefix with its listing, in plan order, listing up to
 * `ahead` prefixes concurrently. A listing that fails is reported as an
 * `error` listing; the other prefixes go on.
 */
export async function* listPlanned(
  source: BackfillSource,
  store: Store,
  plan: readonly PlannedPrefix[],
  ahead = LIST_AHEAD,
): AsyncGenerator<[PlannedPrefix, PrefixListing]> {
  const list = async (p: PlannedPrefix): Promise<PrefixListing> => {
    try {
      const cp = readPrefixCheckpoint(store, source.location, p.prefix);
      if (cp.done) return { kind: "done" };
      return { kind: "objects", objects: await source.list(p.prefix, cp.after ?? undefined) };
    } catch (err) {
      return { kind: "error", message: err instanceof Error ? err.message : String(err) };
    }
  };
  const pending: Promise<PrefixListing>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length < ahead && next < plan.length) pending.push(list(plan[next++]));
  };
  fill();
  for (let i = 0; i < plan.length; i++) {
    const listing = await pending.shift()!;
    fill();
    yield [plan[i], listing];
  }
}

/** Objects of a listing that are not processed yet (what a dry run counts). */
export function unprocessed(store: Store, objects: readonly ListedObject[]): ListedObject[] {
  return objects.filter((o) => !isObjectProcessed(store, o.ref.uri, o.ref.etag));
}

/**
 * Wraps a lister so a failing call is a usage error naming the location it listed
 * (a wrong bucket, prefix or credentials).
 * @param location shown before the prefix, e.g. `s3://bucket`
 */
export function namedLister(lister: PrefixLister, location: string): PrefixLister {
  return {
    async children(prefix) {
      try {
        return await lister.children(prefix);
      } catch (err) {
        throw new UsageError(
          `Cannot list "${location}/${prefix}": ${err instanceof Error ? err.message : err}`,
        );
      }
    },
  };
}
