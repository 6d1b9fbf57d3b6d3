/**
 * The polling loop of one integration: every `poll_interval`, list the
 * prefix after the stored checkpoint and process the new objects.
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { IntegrationConfig } from "../config.ts";
import type { Store } from "../store/db.ts";
import { pollOnce } from "../sources/poller.ts";
import { isObjectProcessed } from "../store/objects.ts";
import { integrationObject, notTakenReason, type ObjectRunner } from "./objects.ts";
import type { HealthTracker } from "./health.ts";
import type { ServeMetrics } from "./metrics.ts";
import { log } from "../log.ts";
import { errorMessage } from "../errors.ts";
import { abortableSleep } from "../abortable_sleep.ts";

/** What the polling loop works with. */
export interface PollLoopDeps {
  s3: S3Client;
  store: Store;
  runner: ObjectRunner;
  metrics: ServeMetrics;
  health: HealthTracker;
  /** Aborted when serve stops. */
  signal: AbortSignal;
}

/** Polls until `deps.signal` aborts; resolves once the poll in progress has settled. */
export async function runPollLoop(integration: IntegrationConfig, deps: PollLoopDeps) {
  const labels = { integration: integration.name };
  const where = `s3://${integration.bucket}/${integration.prefix}`;
  while (!deps.signal.aborted) {
    try {
      const report = await pollOnce(integration, {
        client: deps.s3,
        store: deps.store,
        signal: deps.signal,
        handle: async (o, withinCommit) => {
          const why = notTakenReason(integration, integration.bucket, o.key);
          if (why !== null) {
            log.debug(`Ignoring "s3://${integration.bucket}/${o.key}": ${why}`, labels);
            return "skipped";
          }
          const ref = integrationObject(integration, { bucket: integration.bucket, ...o });
          // Files listed again by the look-back are done already: no need to queue them.
          if (isObjectProcessed(deps.store, ref.uri, ref.etag)) return "skipped";
          return (await deps.runner.run(integration, ref, { withinCommit })).status;
        },
      });
      deps.health.loopOk(integration.name);
      if (report.listed > 0) {
        log.debug(`Polled "${where}"`, {
          ...labels,
          folders: report.folders,
          listed: report.listed,
          failed: report.failed,
        });
      }
    } catch (err) {
      if (deps.signal.aborted) break;
      const reason = `Cannot list "${where}": ${errorMessage(err)}`;
      log.error(reason, labels);
      deps.metrics.sourceErrors.inc(labels);
      deps.health.failed(integration.name, "loop", reason);
    }
    await abortableSleep(integration.pollIntervalSecs * 1000, deps.signal);
  }
}
