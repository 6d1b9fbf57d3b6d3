/**
 * Backfill planning: the exact CloudTrail prefixes
 * `AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/` of a date range, so a
 * backfill lists only the days it needs instead of the whole bucket.
 * Organizations, accounts and regions that are not given are discovered with
 * delimiter listings (one call per level).
 *
 * Key layout: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
 * @module
 */
import { UsageError } from "../errors.ts";

/** Lists the immediate "folders" under a prefix (names without the trailing slash). */
export interface PrefixLister {
  children(prefix: string): Promise<string[]>;
}

/** One planned day prefix. */
export interface PlannedPrefix {
  /** Full key prefix, ending in `/`. */
  prefix: string;
  org: string | null;
  account: string;
  region: string;
  /** `YYYY-MM-DD`. */
  day: string;
}

/** What to plan. */
export interface PlanOptions {
  /** The source's key prefix (may be empty, end at `AWSLogs/`, an org or an account). */
  rootPrefix: string;
  /** First day, epoch ms at 00:00 UTC. */
  startDay: number;
  /** Last day (inclusive), epoch ms at 00:00 UTC. */
  endDay: number;
  /** Only these accounts; empty means every account found. */
  accounts: readonly string[];
  /** Only these regions; empty means every region found per account. */
  regions: readonly string[];
}

const DAY_MS = 86_400_000;
const ACCOUNT = /^\d{12}$/;
const ORG = /^o-[a-z0-9]{10,32}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Parses a `YYYY-MM-DD` day (UTC) to epoch ms at midnight.
 * @throws UsageError naming `flag` when the value is not a real date
 */
export function parseDay(value: string, flag: string): number {
  const m = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new UsageError(`Invalid ${flag} "${value}": expected a date as YYYY-MM-DD`);
  }
  return ms;
}

/** `YYYY-MM-DD` of a UTC day. */
export function formatDay(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10);
}

/**
 * Checks account ids and region names given on the command line.
 * @throws UsageError on the first malformed value
 */
export function validateFilters(accounts: readonly string[], regions: readonly string[]): void {
  for (const a of accounts) {
    if (!ACCOUNT.test(a)) {
      throw new UsageError(`Invalid --account "${a}": expected a 12-digit AWS account id`);
    }
  }
  for (const r of regions) {
    if (!REGION.test(r)) {
      throw new UsageError(`Invalid --region "${r}": expected a region name such as us-east-1`);
    }
  }
}

/** Where the trail's `AWSLogs/` folder is and which organization/account the prefix fixes. */
interface TrailRoot {
  /** Key prefix ending in `AWSLogs/`. */
  base: string;
  org: string | null;
  account: string | null;
}

/**
 * Splits a source prefix into the trail root and the organization/account it
 * names. A prefix without `AWSLogs` is the trail's own prefix (`AWSLogs/` is
 * appended).
 * @throws UsageError when the prefix goes deeper than an account
 */
export function parseTrailRoot(rootPrefix: string): TrailRoot {
  const parts = rootPrefix.split("/").filter((p) => p !== "");
  const at = parts.indexOf("AWSLogs");
  if (at < 0) return { base: [...parts, "AWSLogs", ""].join("/"), org: null, account: null };
  const base = [...parts.slice(0, at + 1), ""].join("/");
  const rest = parts.slice(at + 1);
  let org: string | null = null;
  if (rest.length > 0 && ORG.test(rest[0])) org = rest.shift()!;
  let account: string | null = null;
  if (rest.length > 0 && ACCOUNT.test(rest[0])) account = rest.shift()!;
  if (rest.length > 0) {
    throw new UsageError(
      `Invalid backfill source prefix "${rootPrefix}": give the trail root (…/AWSLogs/, an organization or an account folder) and choose days with --start/--end and regions with --region`,
    );
  }
  return { base, org, account };
}

/**
 * Plans the day prefixes of a range, day by day (oldest first) and within a
 * day by organization, account and region, so history replays in time order.
 *
 * @param lister lists folders for discovery (not called for what the options fix)
 * @returns the prefixes, and the accounts asked for that were not found
 */
export async function planPrefixes(
  lister: PrefixLister,
  options: PlanOptions,
): Promise<{ prefixes: PlannedPrefix[]; missingAccounts: string[] }> {
  if (options.startDay > options.endDay) {
    throw new UsageError(
      `Invalid date range ${formatDay(options.startDay)} to ${
        formatDay(options.endDay)
      }: --start is after --end`,
    );
  }
  const root = parseTrailRoot(options.rootPrefix);
  const owners = await discoverAccounts(lister, root, options.accounts);
  const found = new Set(owners.map((o) => o.account));
  const missingAccounts = options.accounts.filter((a) => !found.has(a));
  const trails: { org: string | null; account: string; region: string; base: string }[] = [];
  for (const o of owners) {
    const cloudTrail = `${o.base}CloudTrail/`;
    const regions = options.regions.length > 0
      ? [...options.regions]
      : (await lister.children(cloudTrail)).filter((r) => REGION.test(r)).sort();
    for (const region of regions) {
      trails.push({ org: o.org, account: o.account, region, base: `${cloudTrail}${region}/` });
    }
  }
  const prefixes: PlannedPrefix[] = [];
  for (let day = options.startDay; day <= options.endDay; day += DAY_MS) {
    const d = formatDay(day);
    const path = d.replaceAll("-", "/");
    for (const t of trails) {
      prefixes.push({
        prefix: `${t.base}${path}/`,
        org: t.org,
        account: t.account,
        region: t.region,
        day: d,
      });
    }
  }
  return { prefixes, missingAccounts };
}

/** The account folders to plan, with their organization. */
async function discoverAccounts(
  lister: PrefixLister,
  root: TrailRoot,
  wanted: readonly string[],
): Promise<{ org: string | null; account: string; base: string }[]> {
  const keep = (a: string) => wanted.length === 0 || wanted.includes(a);
  if (root.account !== null) {
    const base = `${root.base}${root.org ? root.org + "/" : ""}${root.account}/`;
    return keep(root.account) ? [{ org: root.org, account: root.account, base }] : [];
  }
  const out: { org: string | null; account: string; base: string }[] = [];
  const orgs = root.org !== null ? [root.org] : [];
  if (root.org === null) {
    for (const name of (await lister.children(root.base)).sort()) {
      if (ORG.test(name)) orgs.push(name);
      else if (ACCOUNT.test(name) && keep(name)) {
        out.push({ org: null, account: name, base: `${root.base}${name}/` });
      }
    }
  }
  for (const org of orgs) {
    for (const name of (await lister.children(`${root.base}${org}/`)).sort()) {
      if (ACCOUNT.test(name) && keep(name)) {
        out.push({ org, account: name, base: `${root.base}${org}/${name}/` });
      }
    }
  }
  return out;
}
