/**
 * Every metric `iota serve` reports at `/metrics`, in one place. Names follow
 * Prometheus conventions: `_total` for counters, base units (seconds).
 * @module
 */
import { type Counter, type Histogram, Registry } from "../metrics/registry.ts";
import type { HealthTracker } from "./health.ts";

/** Bucket bounds (seconds) of the per-object processing time. */
const PROCESSING_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Bucket bounds (seconds) of queue latencies. */
const QUEUE_BUCKETS = [0.05, 0.1, 0.5, 1, 5, 10, 20, 30, 60, 300, 900, 3600];

/** The serve metrics and the registry that renders them. */
export interface ServeMetrics {
  registry: Registry;
  /** Objects by integration and result: processed | skipped | error. */
  objects: Counter;
  events: Counter;
  badRecords: Counter;
  ruleErrors: Counter;
  /** Alerts fired, by integration and severity. */
  alerts: Counter;
  /** Delivery outcomes by result: delivered | retrying | failed. */
  deliveries: Counter;
  /** SQS messages by integration and what happened: deleted | kept | test | invalid | ignored. */
  messages: Counter;
  /** Failed ReceiveMessage or ListObjectsV2 calls by integration. */
  sourceErrors: Counter;
  /** Duration of one ReceiveMessage call (long poll included). */
  receiveSeconds: Histogram;
  /** Time from SQS accepting a message to iota receiving it. */
  messageAgeSeconds: Histogram;
  /** Time to process one object end to end. */
  processingSeconds: Histogram;
}

/** What the gauges read at scrape time. */
export interface MetricsSources {
  health: HealthTracker;
  /** Restarts of Python rule workers since start. */
  workerRestarts: () => number;
  /** Objects in work right now. */
  inFlight: () => number;
}

/** Creates the serve metrics. */
export function createServeMetrics(sources: MetricsSources): ServeMetrics {
  const r = new Registry();
  const m: ServeMetrics = {
    registry: r,
    objects: r.counter("iota_objects_total", "Source objects handled, by integration and result"),
    events: r.counter("iota_events_total", "Events normalized, by integration"),
    badRecords: r.counter("iota_bad_records_total", "Records that were not valid CloudTrail"),
    ruleErrors: r.counter("iota_rule_errors_total", "Rule errors first seen, by integration"),
    alerts: r.counter("iota_alerts_total", "Alerts fired, by integration and severity"),
    deliveries: r.counter("iota_deliveries_total", "Alert delivery attempts, by result"),
    messages: r.counter(
      "iota_sqs_messages_total",
      "SQS messages handled, by integration and result",
    ),
    sourceErrors: r.counter(
      "iota_source_errors_total",
      "Failed receive or list calls, by integration",
    ),
    receiveSeconds: r.histogram(
      "iota_sqs_receive_seconds",
      "Duration of one SQS ReceiveMessage call, long poll included",
      QUEUE_BUCKETS,
    ),
    messageAgeSeconds: r.histogram(
      "iota_sqs_message_age_seconds",
      "Time from SQS accepting a notification to iota receiving it",
      QUEUE_BUCKETS,
    ),
    processingSeconds: r.histogram(
      "iota_object_processing_seconds",
      "Time to process one source object (read, decode, lake, rules, commit)",
      PROCESSING_BUCKETS,
    ),
  };
  r.gauge(
    "iota_rule_worker_restarts_total",
    "Python rule workers restarted after a crash or time-out",
    () => [[{}, sources.workerRestarts()]],
  );
  r.gauge(
    "iota_objects_in_flight",
    "Objects being processed now",
    () => [[{}, sources.inFlight()]],
  );
  r.gauge(
    "iota_integration_last_loop_timestamp_seconds",
    "When the integration's loop last completed an iteration (Unix time)",
    () =>
      sources.health.report().integrations.map((
        i,
      ) => [{ integration: i.name }, (i.lastLoopAt ?? 0) / 1000]),
  );
  r.gauge(
    "iota_integration_last_object_timestamp_seconds",
    "When the integration last committed an object (Unix time; 0 before the first)",
    () =>
      sources.health.report().integrations.map((
        i,
      ) => [{ integration: i.name }, (i.lastObjectAt ?? 0) / 1000]),
  );
  r.gauge(
    "iota_integration_event_lag_seconds",
    "Now minus the newest event time seen by the integration",
    () =>
      sources.health.report().integrations.flatMap((i) =>
        typeof i.lagSecs === "number" ? [[{ integration: i.name }, i.lagSecs] as const] : []
      ),
  );
  r.gauge(
    "iota_integration_up",
    "1 when the integration is healthy, 0 when failing or stale",
    () =>
      sources.health.report().integrations.map((
        i,
      ) => [{ integration: i.name }, i.status === "healthy" ? 1 : 0]),
  );
  return m;
}
