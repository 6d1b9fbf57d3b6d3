/**
 * `iota process PATH...`: the full pipeline over local files, once.
 * @module
 */
import { EXIT_FAILURES, EXIT_OK, UsageError } from "../errors.ts";
import { listLocalObjects, openLocalObject } from "../sources/local.ts";
import {
  createS3Client,
  listS3Objects,
  openS3Object,
  parseS3Url,
  s3ObjectRef,
} from "../sources/s3.ts";
import type { SourceObjectRef } from "../process/types.ts";
import type { Config } from "../config.ts";
import { defaultParallelism } from "../config.ts";
import { setupConfig } from "./_setup.ts";
import { createProgress } from "./_progress.ts";
import {
  emptySummary,
  type RunFlags,
  runObjects,
  type RunSummary,
  writeSummary,
} from "./_runner.ts";
import { startPipelineRun } from "./_pipeline_run.ts";

/** Flags of `iota process`. */
export interface ProcessFlags extends RunFlags {
  rulesEngine?: boolean;
  decodeThreads?: boolean;
}

/** The summary `iota process` ends with. */
export type ProcessSummary = RunSummary;

/** Runs `iota process`; returns the exit code. */
export async function runProcess(paths: string[], flags: ProcessFlags): Promise<number> {
  const started = performance.now();
  const cfg = await setupConfig(flags);
  const { objects, open } = await listInputs(paths, cfg);
  const summary = emptySummary();
  const run = await startPipelineRun(cfg, summary, {
    rules: flags.rulesEngine !== false,
    decodeThreads: flags.decodeThreads !== false,
    deliver: true,
    json: flags.json === true,
    ruleTimeout: flags.ruleTimeout,
    batchSize: flags.batchSize,
    open,
  });
  let failures = 0;
  let finished = false;
  try {
    const progress = createProgress(objects.length, objects.reduce((n, o) => n + o.size, 0), {
      plain: flags.json === true,
    });
    run.beforeDeliver(() => progress.clear());
    failures = await runObjects(objects, run.ctx, summary, {
      concurrency: Math.min(flags.concurrency ?? defaultParallelism(), Math.max(1, objects.length)),
      progress,
      deliver: run.deliver,
    });
    progress.stop();
    finished = true;
  } finally {
    summary.seconds = Math.round((performance.now() - started) / 10) / 100;
    await run.close(summary, { delivered: finished });
  }
  writeSummary(summary, flags.json === true);
  if (failures > 0) return EXIT_FAILURES;
  if (
    flags.strict && (summary.bad_objects > 0 || summary.bad_records > 0 || summary.rule_errors > 0)
  ) {
    return EXIT_FAILURES;
  }
  return EXIT_OK;
}

/** Local paths and `s3://bucket/prefix` locations as source objects, with their opener. */
async function listInputs(
  paths: string[],
  cfg: Config,
): Promise<{
  objects: SourceObjectRef[];
  open: (obj: SourceObjectRef) => Promise<ReadableStream<Uint8Array>>;
}> {
  const local = paths.filter((p) => !p.startsWith("s3://"));
  const remote = paths.filter((p) => p.startsWith("s3://")).map(parseS3Url);
  const objects = await listLocalObjects(local);
  if (remote.length === 0) return { objects, open: openLocalObject };
  const client = await createS3Client(cfg.aws);
  for (const loc of remote) {
    const source = { id: "s3", label: `s3://${loc.bucket}` };
    try {
      for await (const o of listS3Objects(client, loc)) {
        objects.push(s3ObjectRef({ bucket: loc.bucket, ...o }, source));
      }
    } catch (err) {
      throw new UsageError(
        `Cannot list "s3://${loc.bucket}/${loc.prefix}": ${
          err instanceof Error ? err.message : err
        }`,
      );
    }
  }
  return {
    objects,
    open: (obj) => obj.bucket === null ? openLocalObject(obj) : openS3Object(client, obj),
  };
}
