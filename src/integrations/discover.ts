/**
 * `iota integrations discover`: which organizations, accounts and regions a
 * CloudTrail bucket holds under `AWSLogs/`, and when each last delivered.
 * Only delimiter listings walk the tree (one call per folder level, the
 * newest year, month and day picked at each step), then the newest day's
 * keys are listed to find the newest file: the bucket is never listed whole.
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { listS3Folders, listS3Objects } from "../sources/s3.ts";
import { parseTrailRoot } from "../sources/backfill_plan.ts";
import { UsageError } from "../errors.ts";

/** One account/region folder of a trail. */
export interface DiscoveredTrail {
  org: string | null;
  account: string;
  region: string;
  /** Key prefix of the folder (`…/AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/`). */
  prefix: string;
  /** `YYYY-MM-DD` of the newest day folder, null when the folder has none. */
  newestDay: string | null;
  /** Delivery time in the newest file's name (ISO), null when no name carries one. */
  newestObject: string | null;
}

/** What discovery found. */
export interface Discovery {
  bucket: string;
  /** The `AWSLogs/` prefix walked. */
  root: string;
  orgs: string[];
  accounts: string[];
  regions: string[];
  trails: DiscoveredTrail[];
}

const ORG = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** Folders listed at once. */
const CONCURRENCY = 8;
const STAMP = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z/;

/**
 * Walks `AWSLogs/` under `prefix` of `bucket`.
 * @throws UsageError when the prefix goes deeper than an account folder
 */
export async function discoverTrails(
  client: S3Client,
  loc: { bucket: string; prefix: string },
  options: { signal?: AbortSignal } = {},
): Promise<Discovery> {
  let root: ReturnType<typeof parseTrailRoot>;
  try {
    root = parseTrailRoot(loc.prefix);
  } catch {
    throw new UsageError(
      `Invalid --prefix "${loc.prefix}": give the trail's key prefix, AWSLogs/, an organization or an account folder`,
    );
  }
  const children = async (prefix: string): Promise<string[]> =>
    (await listS3Folders(client, { bucket: loc.bucket, prefix }, options))
      .map((p) => p.slice(prefix.length).replace(/\/$/, ""));

  const owners: { org: string | null; account: string; base: string }[] = [];
  const orgs: string[] = root.org !== null ? [root.org] : [];
  if (root.account !== null) {
    const base = `${root.base}${root.org ? root.org + "/" : ""}${root.account}/`;
    owners.push({ org: root.org, account: root.account, base });
  } else {
    if (root.org === null) {
      for (const name of await children(root.base)) {
        if (ORG.test(name)) orgs.push(name);
        else if (ACCOUNT.test(name)) {
          owners.push({ org: null, account: name, base: `${root.base}${name}/` });
        }
      }
    }
    const perOrg = await pool(
      orgs,
      async (org) =>
        (await children(`${root.base}${org}/`)).filter((n) => ACCOUNT.test(n))
          .map((account) => ({ org, account, base: `${root.base}${org}/${account}/` })),
    );
    owners.push(...perOrg.flat());
  }
  const perOwner = await pool(
    owners,
    async (o) =>
      (await children(`${o.base}CloudTrail/`)).filter((r) => REGION.test(r))
        .map((region) => ({ ...o, region, prefix: `${o.base}CloudTrail/${region}/` })),
  );
  const trails = await pool(perOwner.flat(), async (t): Promise<DiscoveredTrail> => {
    const newest = await newestIn(client, loc.bucket, t.prefix, children, options.signal);
    return { org: t.org, account: t.account, region: t.region, prefix: t.prefix, ...newest };
  });
  trails.sort((a, b) =>
    (a.org ?? "").localeCompare(b.org ?? "") || a.account.localeCompare(b.account) ||
    a.region.localeCompare(b.region)
  );
  return {
    bucket: loc.bucket,
    root: root.base,
    orgs: [...new Set(orgs)].sort(),
    accounts: [...new Set(trails.map((t) => t.account))].sort(),
    regions: [...new Set(trails.map((t) => t.region))].sort(),
    trails,
  };
}

/** The newest day folder of a region folder and the newest delivery time in it. */
async function newestIn(
  client: S3Client,
  bucket: string,
  prefix: string,
  children: (prefix: string) => Promise<string[]>,
  signal: AbortSignal | undefined,
): Promise<{ newestDay: string | null; newestObject: string | null }> {
  let at = prefix;
  const parts: string[] = [];
  for (const digits of [4, 2, 2]) {
    const names = (await children(at)).filter((n) => n.length === digits && /^\d+$/.test(n));
    if (names.length === 0) return { newestDay: null, newestObject: null };
    const last = names.sort().at(-1)!;
    parts.push(last);
    at = `${at}${last}/`;
  }
  let newest: string | null = null;
  for await (const o of listS3Objects(client, { bucket, prefix: at }, { signal })) {
    const m = o.key.match(STAMP);
    if (!m) continue;
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? "00"}Z`;
    if (newest === null || iso > newest) newest = iso;
  }
  return { newestDay: parts.join("-"), newestObject: newest };
}

/** Maps `items` through `fn`, at most CONCURRENCY at once, keeping order. */
async function pool<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}
