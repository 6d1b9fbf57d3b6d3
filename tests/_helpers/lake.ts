/**
 * A lake written by iota from a generated corpus, and the counts of its input,
 * for the DDL and query tests.
 * @module
 */
import { gunzipSync } from "node:zlib";
import { generateCorpus } from "../../scripts/gen_corpus.ts";
import { runIota } from "./mod.ts";

/** Counts of the records in a corpus. */
export interface InputCounts {
  events: number;
  byEventName: Map<string, number>;
}

/**
 * Generates a corpus under `dir/in` and backfills it into `dir/lake` (lake
 * only); returns the input's counts read straight from the files.
 */
export async function lakeFromCorpus(dir: string, events = 3000): Promise<InputCounts> {
  const { files } = await generateCorpus({ out: `${dir}/in`, events, files: 6, seed: 7 });
  const byEventName = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const doc = JSON.parse(new TextDecoder().decode(gunzipSync(await Deno.readFile(f))));
    for (const r of doc.Records as { eventName: string }[]) {
      byEventName.set(r.eventName, (byEventName.get(r.eventName) ?? 0) + 1);
      total++;
    }
  }
  const res = await runIota([
    "backfill",
    `${dir}/in`,
    "--start",
    "2026-11-20",
    "--end",
    "2026-11-20",
    "--lake-only",
    "--lake",
    `${dir}/lake`,
    "--state",
    `${dir}/iota.db`,
    "--json",
  ]);
  if (res.code !== 0) throw new Error(`iota backfill failed: ${res.stderr}`);
  return { events: total, byEventName };
}
