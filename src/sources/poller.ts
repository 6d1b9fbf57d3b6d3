/**
 * S3 polling: every interval, list with ListObjectsV2 starting after a
 * stored checkpoint, so each listing reads only keys added since. CloudTrail
 * keys sort by time only within one account/region folder, so the prefix is
 * first walked (a few delimiter listings) down to those folders and each has
 * its own checkpoint (see `_cloudtrail_layout.ts`). Objects of a listing are
 * handed out concurrently; a checkpoint moves past a key only once it and
 * every key before it are done, and it is written in the SQLite transaction
 * of the object that completes that run of keys.
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Store } from "../store/db.ts";
import { getCheckpoint, setCheckpoint } from "../store/checkpoints.ts";
import { listS3Folders, listS3Objects } from "./s3.ts";
import { isLeaf, isLeafOrBelow, lookbackStart, worthDescending } from "./_cloudtrail_layout.ts";

/** Checkpoint scope of polling positions. */
export const POLL_SCOPE = "poll";
/** Keys handed out per round before the listing continues (bounds memory). */
const ROUND = 1000;
/** Files named up to this long before a folder's checkpoint are listed again. */
export const POLL_LOOKBACK_MS = 20 * 60_000;
/** Folders listed at once. */
const FOLDERS_AT_ONCE = 4;

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

/** The checkpoint key of a folder polled by an integration. */
export function pollCheckpointKey(name: string, bucket: string, prefix: string): string {
  return `${name}:s3://${bucket}/${prefix}`;
}

/** What one poll found. */
export interface PollReport {
  folders: number;
  listed: number;
  failed: number;
}

/**
 * The folders of `prefix` polled with a checkpoint each: the CloudTrail
 * account/region folders below it, or `prefix` itself when it is one of them,
 * inside one, or not laid out like CloudTrail at all.
 */
export async function pollFolders(
  client: S3Client,
  loc: { bucket: string; prefix: string },
  signal?: AbortSignal,
): Promise<string[]> {
  if (isLeafOrBelow(loc.prefix)) return [loc.prefix];
  const leaves: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (
      const child of await listS3Folders(client, { bucket: loc.bucket, prefix: folder }, { signal })
    ) {
      if (isLeaf(child)) leaves.push(child);
      else if (depth < 6 && worthDescending(child, depth)) await walk(child, depth + 1);
    }
  };
  await walk(loc.prefix, 0);
  return leaves.length > 0 ? leaves : [loc.prefix];
}

/**
 * Lists every polled folder of `target` after its checkpoint and handles the
 * new objects. A folder stops at the end of the round in which an object
 * failed, so its checkpoint stays before it and the next poll tries again.
 */
export async function pollOnce(
  target: { name: string; bucket: string; prefix: string },
  deps: PollerDeps,
): Promise<PollReport> {
  const folders = await pollFolders(deps.client, target, deps.signal);
  const report: PollReport = { folders: folders.length, listed: 0, failed: 0 };
  for (let i = 0; i < folders.length && !deps.signal.aborted; i += FOLDERS_AT_ONCE) {
    const parts = await Promise.all(
      folders.slice(i, i + FOLDERS_AT_ONCE).map((prefix) =>
        pollFolder({ name: target.name, bucket: target.bucket, prefix }, deps)
      ),
    );
    for (const p of parts) {
      report.listed += p.listed;
      report.failed += p.failed;
    }
  }
  return report;
}

/** Lists one folder after its checkpoint (less the look-back) and handles what it finds. */
export async function pollFolder(
  target: { name: string; bucket: string; prefix: string },
  deps: PollerDeps,
): Promise<{ listed: number; failed: number }> {
  const ckKey = pollCheckpointKey(target.name, target.bucket, target.prefix);
  const report = { listed: 0, failed: 0 };
  let written = getCheckpoint(deps.store, POLL_SCOPE, ckKey);
  const listing = listS3Objects(deps.client, { bucket: target.bucket, prefix: target.prefix }, {
    startAfter: written === undefined ? undefined : lookbackStart(written, POLL_LOOKBACK_MS),
    signal: deps.signal,
  });
  let round: { key: string; size: number; etag: string }[] = [];
  const write = (key: string | null) => {
    if (key !== null && (written === undefined || key > written)) {
      setCheckpoint(deps.store, POLL_SCOPE, ckKey, key);
      written = key;
    }
  };
  const runRound = async () => {
    const marks = new Watermark(round.map((o) => o.key));
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
