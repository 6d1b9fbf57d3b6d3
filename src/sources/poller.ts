/**
 * S3 polling: list a prefix every interval with ListObjectsV2, starting after
 * a stored checkpoint, so each listing reads only keys added since (CloudTrail
 * keys sort by account, region and date, so new files sort last within their
 * folder; see the note in docs/deploy.md). Objects of a listing are handed
 * out concurrently; the checkpoint moves past a key only once it and every
 * key before it are done, and it is written in the SQLite transaction of the
 * object that completes that run of keys.
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Store } from "../store/db.ts";
import { getCheckpoint, setCheckpoint } from "../store/checkpoints.ts";
import { listS3Objects } from "./s3.ts";

/** Checkpoint scope of polling positions. */
export const POLL_SCOPE = "poll";
/** Keys handed out per round before the listing continues (bounds memory). */
const ROUND = 1000;

/** How one listed object ended. */
export type PolledOutcome = "committed" | "skipped" | "failed" | "abandoned";

/** What a poller needs. */
export interface PollerDeps {
  client: S3Client;
  store: Store;
  /**
   * Processes one listed object; `withinCommit` must run inside the object's
   * SQLite transaction when it commits.
   */
  handle(
    o: { key: string; size: number; etag: string },
    withinCommit: () => void,
  ): Promise<PolledOutcome>;
  signal: AbortSignal;
}

/** The checkpoint key of a prefix polled by an integration. */
export function pollCheckpointKey(name: string, bucket: string, prefix: string): string {
  return `${name}:s3://${bucket}/${prefix}`;
}

/** What one poll found. */
export interface PollReport {
  listed: number;
  failed: number;
  /** The checkpoint after the poll. */
  checkpoint: string | undefined;
}

/**
 * Lists `bucket/prefix` after the stored checkpoint and handles every new
 * object. Stops at the end of the round in which an object failed, so the
 * checkpoint stays before it and the next poll tries it again.
 */
export async function pollOnce(
  target: { name: string; bucket: string; prefix: string },
  deps: PollerDeps,
): Promise<PollReport> {
  const ckKey = pollCheckpointKey(target.name, target.bucket, target.prefix);
  const report: PollReport = { listed: 0, failed: 0, checkpoint: undefined };
  let written = getCheckpoint(deps.store, POLL_SCOPE, ckKey);
  const listing = listS3Objects(deps.client, { bucket: target.bucket, prefix: target.prefix }, {
    startAfter: written,
    signal: deps.signal,
  });
  let round: { key: string; size: number; etag: string }[] = [];
  const runRound = async () => {
    const marks = new Watermark(round.map((o) => o.key));
    const write = (key: string | null) => {
      if (key !== null && (written === undefined || key > written)) {
        setCheckpoint(deps.store, POLL_SCOPE, ckKey, key);
        written = key;
      }
    };
    const outcomes = await Promise.all(round.map(async (o) => {
      const outcome = await deps.handle(o, () => write(marks.peek(o.key)));
      if (outcome === "committed" || outcome === "skipped") {
        const next = marks.complete(o.key);
        if (next !== null && (written === undefined || next > written)) {
          deps.store.transaction(() => write(next));
        }
      }
      return outcome;
    }));
    report.failed += outcomes.filter((x) => x === "failed" || x === "abandoned").length;
    round = [];
  };
  for await (const o of listing) {
    report.listed++;
    round.push(o);
    if (round.length >= ROUND) {
      await runRound();
      if (report.failed > 0 || deps.signal.aborted) break;
    }
  }
  if (round.length > 0 && report.failed === 0 && !deps.signal.aborted) await runRound();
  report.checkpoint = written;
  return report;
}

/**
 * The last key of the longest run of completed keys from the start of a
 * listing (keys in listing order).
 */
export class Watermark {
  #keys: string[];
  #done: boolean[];
  #next = 0;
  #index = new Map<string, number>();

  constructor(keys: string[]) {
    this.#keys = keys;
    this.#done = keys.map(() => false);
    keys.forEach((k, i) => this.#index.set(k, i));
  }

  /** The watermark if `key` completed now (nothing is recorded), or null if it would not move. */
  peek(key: string): string | null {
    return this.#advance(key, false);
  }

  /** Records `key` as complete; returns the new watermark, or null if it did not move. */
  complete(key: string): string | null {
    return this.#advance(key, true);
  }

  #advance(key: string, record: boolean): string | null {
    const i = this.#index.get(key);
    if (i === undefined) return null;
    const before = this.#next;
    if (record) this.#done[i] = true;
    let n = before;
    while (n < this.#keys.length && (this.#done[n] || n === i)) n++;
    if (record) this.#next = n;
    return n > before ? this.#keys[n - 1] : null;
  }
}
