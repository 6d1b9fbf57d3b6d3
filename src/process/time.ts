/**
 * Fast parsing of CloudTrail `eventTime` values and formatting of p_ timestamps.
 *
 * `new Date(string)` is a generic parser and costs more than the rest of the
 * per-record work for short values; CloudTrail times sit at fixed positions, so
 * a hand-written reader over char codes is both stricter and much cheaper.
 * @module
 */

const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Reads `n` decimal digits at `i`, or -1 when any is missing. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = digit(s, i + k);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Parses an ISO 8601 timestamp as CloudTrail writes it and returns epoch
 * milliseconds (UTC), or NaN when the value is not a valid time.
 *
 * Accepted: `YYYY-MM-DDTHH:MM:SS`, `T` or a space between date and time,
 * optional fractional seconds of any length (truncated to milliseconds, as
 * `Date` does), then `Z`, `+HH:MM`, `+HHMM`, `+HH` or nothing (taken as UTC).
 *
 * @example
 * ```ts
 * parseEventTime("2026-11-20T10:04:59Z"); // 1795169099000
 * ```
 */
export function parseEventTime(s: string): number {
  const len = s.length;
  if (len < 19) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  const sep = s.charCodeAt(10);
  if (
    y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
    sec > 59 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 || (sep !== 84 && sep !== 32 && sep !== 116)
  ) return NaN;
  if (d > (mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1])) return NaN;

  let i = 19;
  let ms = 0;
  const dot = s.charCodeAt(i);
  if (dot === 46 || dot === 44) {
    i++;
    const start = i;
    while (i < len && digit(s, i) >= 0) {
      if (i - start < 3) ms = ms * 10 + digit(s, i);
      i++;
    }
    const n = i - start;
    if (n === 0) return NaN;
    if (n === 1) ms *= 100;
    else if (n === 2) ms *= 10;
  }

  let offsetMin = 0;
  if (i < len) {
    const c = s.charCodeAt(i);
    if (c === 90 || c === 122) { // Z, z
      i++;
    } else if (c === 43 || c === 45) { // +, -
      const oh = digits(s, i + 1, 2);
      if (oh < 0 || oh > 23) return NaN;
      i += 3;
      let om = 0;
      if (i < len) {
        if (s.charCodeAt(i) === 58) i++;
        om = digits(s, i, 2);
        if (om < 0 || om > 59) return NaN;
        i += 2;
      }
      offsetMin = (oh * 60 + om) * (c === 45 ? -1 : 1);
    } else {
      return NaN;
    }
  }
  if (i !== len) return NaN;
  return daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi - offsetMin) * 60 + sec) * 1000 + ms;
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

/**
 * Formats epoch milliseconds as `YYYY-MM-DD HH:MM:SS.mmm` in UTC, the
 * timestamp format of every p_ time field. Returns null for years outside
 * 0000-9999, which the format cannot express.
 *
 * @example
 * ```ts
 * formatTimestamp(Date.UTC(2026, 10, 20, 10, 4, 59)); // "2026-11-20 10:04:59.000"
 * ```
 */
export function formatTimestamp(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  // Civil date from day number (proleptic Gregorian, valid for all years).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 0 || y > 9999) return null;

  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  const hour = (rest - min) / 60;
  const yyyy = y < 1000 ? String(y).padStart(4, "0") : "" + y;
  const mmm = milli < 10 ? "00" + milli : milli < 100 ? "0" + milli : "" + milli;
  return yyyy + "-" + pad2(m) + "-" + pad2(d) + " " + pad2(hour) + ":" + pad2(min) + ":" +
    pad2(sec) + "." + mmm;
}
