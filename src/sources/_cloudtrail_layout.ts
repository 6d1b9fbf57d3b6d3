/**
 * The CloudTrail key layout as polling needs it. Keys sort by time only
 * within one `AWSLogs/[o-ORG/]ACCOUNT/CloudTrail*\/REGION/` folder (a new file
 * of account 1111… sorts before an old one of 4444…), so polling keeps one
 * position per such folder. Inside a folder, files of the same minutes can
 * land out of name order, so each listing starts a little before the stored
 * position and already processed files are skipped.
 * @module
 */

/** A folder whose keys sort by delivery time. */
const LEAF =
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?\d{12}\/CloudTrail(?:-Digest|-Insight)?\/[a-z0-9-]+\/$/;
/** A folder above a leaf, inside the `AWSLogs/` tree. */
const ABOVE_LEAF =
  /(?:^|\/)AWSLogs\/(?:(?:o-[a-z0-9]+\/)?(?:\d{12}\/(?:CloudTrail(?:-Digest|-Insight)?\/)?)?)?$/;
/** `…/YYYY/MM/DD/NAME_YYYYMMDDTHHmm[ss]Z…` in a leaf. */
const DATED_KEY = /^(.*\/)(\d{4})\/(\d{2})\/(\d{2})\/([^/]*?_)(\d{8}T\d{4}(?:\d{2})?Z)[^/]*$/;

/** True when `prefix` is a folder whose keys sort by time (or is inside one). */
export function isLeafOrBelow(prefix: string): boolean {
  for (let end = prefix.indexOf("/"); end !== -1; end = prefix.indexOf("/", end + 1)) {
    if (LEAF.test(prefix.slice(0, end + 1))) return true;
  }
  return false;
}

/**
 * True when the walk should look inside `folder` (at `depth` below the
 * integration prefix) for leaves: folders of the `AWSLogs/` tree above a
 * leaf, and up to two levels of a trail's own key prefix above `AWSLogs/`.
 */
export function worthDescending(folder: string, depth: number): boolean {
  if (ABOVE_LEAF.test(folder)) return true;
  return !folder.includes("AWSLogs/") && depth < 2;
}

/** True when `folder` is a leaf. */
export function isLeaf(folder: string): boolean {
  return LEAF.test(folder);
}

/**
 * Where to start listing so that files named up to `lookbackMs` before the
 * stored position are listed again (and skipped when done). Keys outside the
 * CloudTrail layout start right after the position.
 */
export function lookbackStart(checkpoint: string, lookbackMs: number): string {
  const m = checkpoint.match(DATED_KEY);
  if (!m) return checkpoint;
  const [, folder, , , , namePrefix, stamp] = m;
  const t = Date.UTC(
    Number(stamp.slice(0, 4)),
    Number(stamp.slice(4, 6)) - 1,
    Number(stamp.slice(6, 8)),
    Number(stamp.slice(9, 11)),
    Number(stamp.slice(11, 13)),
    stamp.length > 14 ? Number(stamp.slice(13, 15)) : 0,
  ) - lookbackMs;
  if (!Number.isFinite(t)) return checkpoint;
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, "0");
  const day = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/`;
  const hhmm = `${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
  const newStamp = `${day.replaceAll("/", "")}T${hhmm}${
    stamp.length > 14 ? p(d.getUTCSeconds()) : ""
  }Z`;
  // The name prefix carries account and region; the timestamp sorts within it.
  return `${folder}${day}${namePrefix}${newStamp}`;
}
