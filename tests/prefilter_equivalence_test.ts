/**
 * The static prefilter may skip work but must never change a result: every
 * bundled rule over a generated corpus and the fixtures, with and without it.
 */
import assert from "node:assert/strict";
import { generateCorpus } from "../scripts/gen_corpus.ts";
import { listLocalObjects, openLocalObject } from "../src/sources/local.ts";
import { decodeObject } from "../src/process/mod.ts";
import { loadRuleSet } from "../src/rules/loader.ts";
import { RuleEngine } from "../src/rules/pool.ts";
import { bundledRulesDir } from "../src/assets.ts";
import type { NormalizedEvent } from "../src/process/types.ts";
import { tempDir } from "./_helpers/mod.ts";

const FIXTURES = new URL("./fixtures", import.meta.url).pathname;

Deno.test("RuleEngine gives identical matches and errors with and without the prefilter", async () => {
  const dir = await tempDir();
  try {
    // A corpus rich in rule-relevant calls, so both paths have matches to compare.
    await generateCorpus({
      out: `${dir.path}/corpus`,
      events: 20_000,
      files: 4,
      seed: 3,
      suspiciousShare: 0.02,
    });
    const batches: NormalizedEvent[][] = [];
    for (const obj of await listLocalObjects([`${dir.path}/corpus`, FIXTURES])) {
      const it = decodeObject(await openLocalObject(obj), obj, { batchSize: 500 });
      for await (const b of it) if (b.events.length > 0) batches.push(b.events);
    }
    const set = await loadRuleSet([bundledRulesDir()]);
    const run = async (prefilter: boolean) => {
      const engine = await RuleEngine.start(set, {
        workers: 2,
        cwd: dir.path,
        statePath: null,
        prefilter,
      });
      const out: string[] = [];
      try {
        for (const r of await Promise.all(batches.map((b) => engine.evaluate(b)))) {
          for (const m of r.matches) {
            out.push(`${m.ruleId}|${m.rowId}|${m.severity}|${m.title}|${m.dedup}`);
          }
          for (const e of r.errors) out.push(`error|${e.ruleId}|${e.rowId}|${e.type}`);
        }
        return { out, toPython: engine.stats.eventsToPython, seen: engine.stats.eventsSeen };
      } finally {
        await engine.close();
      }
    };
    const filtered = await run(true);
    const full = await run(false);
    assert.ok(filtered.out.length > 50, `expected matches, got ${filtered.out.length}`);
    assert.deepEqual(filtered.out, full.out);
    assert.equal(full.toPython, full.seen);
    assert.ok(
      filtered.toPython < filtered.seen / 4,
      `prefilter let ${filtered.toPython} of ${filtered.seen} through`,
    );
  } finally {
    await dir.cleanup();
  }
});
