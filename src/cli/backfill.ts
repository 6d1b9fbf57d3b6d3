/**
 * `iota backfill SOURCE --start DAY --end DAY`: replays CloudTrail history
 * from a bucket or a local copy through the same pipeline and state as
 * `iota process` and `iota serve`. Objects any of them already processed are
 * skipped; progress is checkpointed per day prefix, so an interrupted backfill
 * continues where it stopped.
 * @module
 */
import { EXIT_FAILURES, EXIT_OK, UsageError } from "../errors.ts";
import { log } from "../log.ts";
import type { Config } from "../config.ts";
import { defaultParallelism } from "../config.ts";
import type { SourceObjectRef } from "../process/types.ts";
import { setupConfig, setupStore } from "./_setup.ts";
import { emptySummary, type RunFlags, runObjects, writeSummary } from "./_runner.ts";
import { startPipelineRun } from "./_pipeline_run.ts";
import { createBackfillProgress } from "./_backfill_progress.ts";
import { printPlan } from "./_backfill_plan_output.ts";
import {
  formatDay,
  parseDay,
  type PlannedPrefix,
  planPrefixes,
  validateFilters,
} from "../sources/backfill_plan.ts";
import type { BackfillSource } from "../sources/backfill_source.ts";
import { listPlanned, namedLister } from "../sources/backfill_list.ts";
import { DAY_CLOSED_AFTER_MS, PrefixTracker } from "../sources/backfill_resume.ts";
import { recordThroughput } from "../sources/backfill_throughput.ts";

/** Flags of `iota backfill`. */
export interface BackfillFlags extends RunFlags {
  start?: string;
  end?: string;
  account: string[];
  region: string[];
  integration?: string;
  lakeOnly?: boolean;
  /** False with `--no-alerts`. */
  alerts?: boolean;
  dryRun?: boolean;
}

const DAY_MS = 86_400_000;

/** Runs `iota backfill`; returns the exit code. */
export async function runBackfill(
  sourceArg: string | undefined,
  flags: BackfillFlags,
): Promise<number> {
  const started = performance.now();
  const cfg = await setupConfig(flags);
  if (flags.start === undefined) {
    throw new UsageError("Missing --start: give the first day to backfill as YYYY-MM-DD");
  }
  const startDay = parseDay(flags.start, "--start");
  const endDay = flags.end === undefined
    ? Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())
    : parseDay(flags.end, "--end");
  validateFilters(flags.account, flags.region);
  if (flags.lakeOnly && cfg.lake === "none") {
    throw new UsageError("Invalid --lake-only with --lake none: there would be nothing to write");
  }
  const { source, accounts } = await resolveSource(sourceArg, flags, cfg);
  const { prefixes: plan, missingAccounts } = await planPrefixes(
    namedLister(source, source.location),
    { rootPrefix: source.rootPrefix, startDay, endDay, accounts, regions: flags.region },
  );
  for (const a of missingAccounts) {
    log.warn(`Account "${a}" has no trail folder under "${source.location}/${source.rootPrefix}"`);
  }
  log.info("backfill planned", {
    source: `${source.location}/${source.rootPrefix}`,
    days: `${formatDay(startDay)}..${formatDay(endDay)}`,
    prefixes: plan.length,
  });

  if (flags.dryRun) {
    const store = setupStore(cfg);
    try {
      await printPlan(source, store, plan, { json: flags.json === true });
    } finally {
      store.close();
    }
    return EXIT_OK;
  }
  return await runPlan(source, plan, cfg, flags, started);
}

async function runPlan(
  source: BackfillSource,
  plan: PlannedPrefix[],
  cfg: Config,
  flags: BackfillFlags,
  started: number,
): Promise<number> {
  const summary = emptySummary();
  const run = await startPipelineRun(cfg, summary, {
    rules: flags.lakeOnly !== true,
    deliver: flags.alerts !== false,
    json: flags.json === true,
    ruleTimeout: flags.ruleTimeout,
    batchSize: flags.batchSize,
    open: (obj) => source.open(obj),
  });
  const runStarted = performance.now();
  const progress = createBackfillProgress(plan.length, { plain: flags.json === true });
  run.beforeDeliver(() => progress.clear());
  const dayOf = new Map(plan.map((p) => [p.prefix, parseDay(p.day, "day")]));
  const now = Date.now();
  const tracker = new PrefixTracker(run.store, source.location, {
    closed: (prefix) => (dayOf.get(prefix) ?? now) + DAY_MS + DAY_CLOSED_AFTER_MS <= now,
    onPrefixDone: () => progress.prefixDone(),
  });
  run.ctx.onCommit = (obj) => tracker.onCommit(obj);
  const measured = { bytes: 0, events: 0 };
  let listFailures = 0;
  let failures = 0;
  let finished = false;
  async function* objects(): AsyncGenerator<SourceObjectRef> {
    for await (const [p, listing] of listPlanned(source, run.store, plan)) {
      if (listing.kind === "done") {
        progress.prefixDone();
        continue;
      }
      if (listing.kind === "error") {
        listFailures++;
        progress.clear();
        log.error(`Cannot list "${source.location}/${p.prefix}": ${listing.message}`);
        tracker.failed(p.prefix);
        continue;
      }
      tracker.begin(p.prefix, listing.objects);
      for (const o of listing.objects) yield o.ref;
    }
  }
  try {
    failures = await runObjects(objects(), run.ctx, summary, {
      concurrency: flags.concurrency ?? defaultParallelism(),
      progress,
      deliver: run.deliver,
      onFinished(obj, outcome) {
        tracker.onFinished(obj, outcome);
        if (outcome !== null && !outcome.skipped) {
          measured.bytes += obj.size;
          measured.events += outcome.events;
        }
      },
    });
    progress.stop();
    finished = true;
    recordThroughput(run.store, {
      ...measured,
      seconds: (performance.now() - runStarted) / 1000,
    });
  } finally {
    try {
      await run.close(summary, { delivered: finished });
    } finally {
      summary.seconds = Math.round((performance.now() - started) / 10) / 100;
    }
  }
  writeSummary(summary, flags.json === true);
  if (failures > 0 || listFailures > 0) return EXIT_FAILURES;
  if (
    flags.strict && (summary.bad_objects > 0 || summary.bad_records > 0 || summary.rule_errors > 0)
  ) {
    return EXIT_FAILURES;
  }
  return EXIT_OK;
}

/** The source named by the argument or by `--integration`, and the accounts to plan. */
async function resolveSource(
  sourceArg: string | undefined,
  flags: BackfillFlags,
  cfg: Config,
): Promise<{ source: BackfillSource; accounts: string[] }> {
  if (flags.integration !== undefined) {
    if (sourceArg !== undefined) {
      throw new UsageError(
        `Invalid source "${sourceArg}" with --integration: the integration names the bucket`,
      );
    }
    const { readBackfillIntegration } = await import("../sources/backfill_integration.ts");
    const integ = await readBackfillIntegration(cfg.file, flags.integration);
    if (integ.roleArn !== null) {
      log.warn(
        `Integration "${integ.name}" names role_arn; backfill reads with the default AWS credentials`,
      );
    }
    const accounts = flags.account.length > 0 ? flags.account : integ.accounts;
    validateFilters(accounts, []);
    const source = await s3Source(
      { bucket: integ.bucket, prefix: integ.prefix },
      { ...cfg.aws, region: integ.region ?? cfg.aws.region },
      { id: integ.name, label: integ.name },
    );
    return { source, accounts };
  }
  if (sourceArg === undefined) {
    throw new UsageError(
      "Missing source: give s3://bucket/prefix, a directory or --integration NAME",
    );
  }
  if (sourceArg.startsWith("s3://")) {
    const { parseS3Url } = await import("../sources/s3.ts");
    const loc = parseS3Url(sourceArg);
    // The same source identity as `iota process s3://…`, so both name objects alike.
    const source = await s3Source(loc, cfg.aws, { id: "s3", label: `s3://${loc.bucket}` });
    return { source, accounts: flags.account };
  }
  let info: Deno.FileInfo | null = null;
  try {
    info = await Deno.stat(sourceArg);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw new UsageError(`Cannot read "${sourceArg}": ${(err as Error).message}`);
    }
  }
  if (info === null || !info.isDirectory) {
    throw new UsageError(`Cannot read "${sourceArg}": not a directory or s3:// location`);
  }
  const { localBackfillSource } = await import("../sources/backfill_source.ts");
  return { source: localBackfillSource(sourceArg), accounts: flags.account };
}

async function s3Source(
  loc: { bucket: string; prefix: string },
  aws: Config["aws"],
  id: { id: string; label: string },
): Promise<BackfillSource> {
  const { createS3Client } = await import("../sources/s3.ts");
  const { s3BackfillSource } = await import("../sources/backfill_source.ts");
  return s3BackfillSource(await createS3Client(aws), loc, id);
}
