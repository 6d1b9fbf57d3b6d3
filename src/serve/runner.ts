/**
 * `iota serve`: one loop per enabled integration (SQS or polling), alert
 * delivery running alongside, the health and metrics endpoint, and a graceful
 * stop on SIGTERM/SIGINT: receiving stops, objects in work get until the
 * shutdown deadline to commit, messages not finished go back to their queue,
 * due alerts are flushed, and SQLite is closed cleanly.
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Config, IntegrationConfig } from "../config.ts";
import { defaultParallelism } from "../config.ts";
import type { PipelineContext } from "../pipeline.ts";
import type { RuleEngine } from "../rules/pool.ts";
import { deliverDue, type DeliveryReport, runForwarder } from "../alerts/forwarder.ts";
import { closeOutputs } from "../alerts/outputs/registry.ts";
import type { Output } from "../alerts/outputs/types.ts";
import type { Store } from "../store/db.ts";
import type { LakeWriter } from "../lake/types.ts";
import { createS3Client } from "../sources/s3.ts";
import { createSqsClient, queueRegion } from "../sources/sqs.ts";
import { assumeRoleCredentials } from "../sources/credentials.ts";
import { log } from "../log.ts";
import { type HealthTracker, MemoryHealth } from "./health.ts";
import { createServeMetrics, type ServeMetrics } from "./metrics.ts";
import { Limiter } from "./limiter.ts";
import { ObjectRunner } from "./objects.ts";
import { startSqsLoop } from "./sqs_loop.ts";
import { runPollLoop } from "./poll_loop.ts";
import { startStatusServer, type StatusServer } from "./http.ts";
import { trackSends } from "./_sends.ts";

/** Smallest age bound of a loop for /healthz, in seconds (a long poll lasts 20). */
const MIN_LOOP_AGE_SECS = 120;

/** What serve runs with, built by the command from the config. */
export interface ServeParts {
  cfg: Config;
  store: Store;
  lake: LakeWriter;
  engine: RuleEngine;
  outputs: Map<string, Output>;
  routing: { outputs: ReadonlySet<string>; defaultOutputs: readonly string[] };
  /** Resolves when serve should stop (a signal arrived); a second stop means now. */
  stopRequests: AsyncIterable<string>;
  /** Where integration health goes (default: kept in memory for /healthz). */
  health?: HealthTracker;
  /** The integrations to run (default: the enabled ones of the config). */
  integrations?: IntegrationConfig[];
}

/** Clients of one integration. */
interface Clients {
  s3: S3Client;
  sqs: SQSClient | null;
  s3Open: PipelineContext["open"];
}

/** Runs until a stop request, then shuts down; resolves once everything is closed. */
export async function serve(parts: ServeParts): Promise<void> {
  const { cfg, store, engine } = parts;
  const integrations = (parts.integrations ?? cfg.integrations).filter((i) => i.enabled);
  const health: HealthTracker = parts.health ?? new MemoryHealth();
  const limiter = new Limiter(cfg.serve.concurrency ?? defaultParallelism());
  let runner: ObjectRunner | null = null;
  const metrics = createServeMetrics({
    health,
    workerRestarts: () => engine.stats.workerRestarts,
    inFlight: () => runner?.inFlight ?? 0,
  });
  const receiving = new AbortController();
  const hardStop = new AbortController();
  const forwarding = new AbortController();
  const clients = new Map<string, Clients>();
  let status: StatusServer | null = null;
  const sends = trackSends(parts.outputs);
  try {
    for (const i of integrations) {
      health.register(i.name, loopAgeBound(cfg, i));
      clients.set(i.name, await createClients(cfg, i));
    }
    const ctx: PipelineContext = {
      store,
      lake: parts.lake,
      rules: engine,
      ruleMap: engine.ruleMap(),
      outputs: parts.routing.outputs,
      defaultOutputs: parts.routing.defaultOutputs,
      open: (obj) => clients.get(obj.sourceId)!.s3Open(obj),
      // Past the shutdown deadline nothing commits: its message is back in the queue already.
      beforeCommit: () =>
        hardStop.signal.aborted
          ? Promise.reject(new Error("stopped at the shutdown deadline"))
          : Promise.resolve(),
      // Persisted health commits in the object's own transaction.
      onCommit: health.onCommit?.bind(health),
    };
    runner = new ObjectRunner({ ctx, limiter, metrics, health, signal: receiving.signal });
    if (cfg.serve.metricsAddress !== null) {
      status = startStatusServer(cfg.serve.metricsAddress, { health, registry: metrics.registry });
      log.info(`Health and metrics on http://${status.address}/healthz and /metrics`);
    }
    const forwarder = runForwarder(store, sends.outputs, {
      policy: cfg.delivery,
      signal: forwarding.signal,
      onReport: deliveryCounter(metrics),
    });
    const sqsLoops = [];
    const loops: Promise<void>[] = [];
    for (const i of integrations) {
      const c = clients.get(i.name)!;
      const deps = { s3: c.s3, runner, metrics, health, signal: receiving.signal };
      if (c.sqs !== null) {
        const loop = startSqsLoop(i, { ...deps, sqs: c.sqs });
        sqsLoops.push(loop);
        loops.push(loop.done);
      } else {
        loops.push(runPollLoop(i, { ...deps, store }));
      }
      log.info(`Integration "${i.name}" started`, {
        source: i.queueUrl ?? `s3://${i.bucket}/${i.prefix} every ${i.pollIntervalSecs}s`,
      });
    }
    log.info(`iota serve is running`, {
      integrations: integrations.length,
      concurrency: limiter.limit,
      workers: engine.size,
    });

    // Wait for the first stop request, then give work in progress until the deadline.
    const requests = parts.stopRequests[Symbol.asyncIterator]();
    const first = await requests.next();
    const deadlineMs = cfg.serve.shutdownTimeoutSecs * 1000;
    log.info(`Stopping (${first.value ?? "stop"}): finishing objects in work`, {
      in_flight: runner.inFlight,
      deadline_secs: cfg.serve.shutdownTimeoutSecs,
    });
    receiving.abort();
    void requests.next().then((r) => {
      if (!r.done) log.warn(`Stopping now (${r.value}): objects in work are handed back`);
      hardStop.abort();
    });
    // One deadline for everything that follows: objects, deliveries in flight, the last pass.
    const deadline = AbortSignal.any([hardStop.signal, AbortSignal.timeout(deadlineMs)]);
    const settled = Promise.allSettled(loops).then(() => "settled" as const);
    if (await Promise.race([settled, aborted(deadline)]) !== "settled") {
      hardStop.abort();
      log.warn(`Shutdown deadline reached: handing unfinished messages back to their queues`);
      await Promise.allSettled(sqsLoops.map((l) => l.abandon()));
    }
    // Let requests outputs have started finish, then stop the forwarder.
    await sends.idle(deadline);
    forwarding.abort();
    await forwarder;
    // Alerts of the last objects: one more delivery pass, cut short at the deadline.
    if (!deadline.aborted) {
      deliveryCounter(metrics)(
        await deliverDue(store, parts.outputs, { policy: cfg.delivery, signal: deadline }),
      );
    }
  } finally {
    receiving.abort();
    hardStop.abort();
    forwarding.abort();
    await status?.close().catch(() => {});
    for (const c of clients.values()) {
      c.s3.destroy();
      c.sqs?.destroy();
    }
    await closeOutputs(parts.outputs);
  }
  log.info("iota serve stopped");
}

/** Resolves with "aborted" once `signal` aborts. */
function aborted(signal: AbortSignal): Promise<"aborted"> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve("aborted");
    else signal.addEventListener("abort", () => resolve("aborted"), { once: true });
  });
}

/** Seconds without a completed loop iteration after which /healthz reports the integration. */
function loopAgeBound(cfg: Config, i: IntegrationConfig): number {
  if (cfg.serve.healthMaxLoopAgeSecs !== null) return cfg.serve.healthMaxLoopAgeSecs;
  return i.queueUrl !== null
    ? MIN_LOOP_AGE_SECS
    : Math.max(MIN_LOOP_AGE_SECS, 3 * i.pollIntervalSecs);
}

async function createClients(
  cfg: Config,
  i: IntegrationConfig,
): Promise<Clients> {
  const region = i.region ?? cfg.aws.region ??
    (i.queueUrl !== null ? queueRegion(i.queueUrl) : null) ?? undefined;
  const credentials = i.roleArn === null ? undefined : assumeRoleCredentials({
    roleArn: i.roleArn,
    sessionName: `iota-${i.name}`,
    externalId: i.externalId,
    region,
    endpoint: cfg.aws.stsEndpoint,
  });
  const aws = { region, endpoint: cfg.aws.endpoint, credentials };
  const s3 = await createS3Client(aws);
  const sqs = i.queueUrl !== null ? await createSqsClient(aws) : null;
  const { openS3Object } = await import("../sources/s3.ts");
  return { s3, sqs, s3Open: (obj) => openS3Object(s3, obj) };
}

/** Turns the forwarder's running totals into counter increments. */
function deliveryCounter(metrics: ServeMetrics): (r: DeliveryReport) => void {
  let last: DeliveryReport = { delivered: 0, retrying: 0, failed: 0 };
  return (r) => {
    for (const k of ["delivered", "retrying", "failed"] as const) {
      if (r[k] > last[k]) metrics.deliveries.inc({ result: k }, r[k] - last[k]);
    }
    last = { ...r };
  };
}
