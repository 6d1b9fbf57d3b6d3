/**
 * Indicator collection: one walk over a record that gathers the values
 * analysts pivot on (IPs, account ids, ARNs, instance ids, domains, users).
 *
 * Which values count:
 * - ARNs (`arn:aws…:service:region:account:resource`): any string value, anywhere.
 *   The ARN's account field adds to the account ids, an `instance/i-…`
 *   resource to the instance ids.
 * - Instance ids: any string value that is exactly `i-` plus 8 or 17 hex digits.
 * - IP addresses: valid IPv4 or IPv6 literals in keys whose name has `ip` as
 *   a word (`ipAddress`, `sourceIPAddress`, `privateIpAddress`, `publicIp`,
 *   `client_ip`; not `description` or `recipientAccountId`) or contains
 *   `address` in any case.
 * - Domain names: hostnames in `sourceIPAddress` (AWS services such as
 *   `ec2.amazonaws.com` call on a user's behalf), `tlsDetails.clientProvidedHostHeader`,
 *   and keys ending in `domainName`, `dnsName` or `hostName`. `eventSource` is
 *   left out: it names the API called, not a party to the call.
 * - Account ids: 12-digit values of keys ending in `accountId`/`accountIds`
 *   (`recipientAccountId`, `userIdentity.accountId`, `sessionIssuer.accountId`,
 *   `resources[].accountId`…), plus ARN account fields.
 * - Usernames: values of keys named `userName`, `UserName` or `newUserName`
 *   (`userIdentity.userName`, `sessionIssuer.userName`,
 *   `requestParameters.userName`, `additionalEventData.UserName`…), except
 *   the placeholder CloudTrail writes for unknown console users.
 *
 * Each list keeps first-seen order (walk order of the parsed record), without
 * duplicates, so the same record always yields the same output.
 * @module
 */

const F_IP = 1;
const F_DOMAIN = 2;
const F_ACCOUNT = 4;
const F_USER = 8;
/** A key in iota's own p_ namespace. */
const F_RESERVED = 16;

/** Nesting deeper than this is not searched: real records stay far below it. */
const MAX_DEPTH = 64;
/** Keys in requestParameters can be user data (tag maps): keep the cache bounded. */
const MAX_CACHED_KEYS = 20_000;
const HIDDEN_USER = "HIDDEN_DUE_TO_SECURITY_REASONS";

/** "ip" as a word of a camelCase or snake_case key: not the "ip" inside "description". */
const IP_WORD = /(?:^[iI][pP]|I[pP]|[_-][iI][pP])(?!(?!v[46])[a-z])/;

const keyFlagCache = new Map<string, number>();

function flagsOf(key: string): number {
  let f = keyFlagCache.get(key);
  if (f !== undefined) return f;
  const k = key.toLowerCase();
  f = 0;
  if (IP_WORD.test(key) || k.includes("address")) f |= F_IP;
  if (
    k === "sourceipaddress" || k === "clientprovidedhostheader" || k.endsWith("domainname") ||
    k.endsWith("dnsname") || k.endsWith("hostname")
  ) f |= F_DOMAIN;
  if (k.endsWith("accountid") || k.endsWith("accountids")) f |= F_ACCOUNT;
  if (key === "userName" || key === "UserName" || key === "newUserName") f |= F_USER;
  if (key.startsWith("p_")) f |= F_RESERVED;
  if (keyFlagCache.size >= MAX_CACHED_KEYS) keyFlagCache.clear();
  keyFlagCache.set(key, f);
  return f;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** True for `i-` followed by exactly 8 or 17 hex digits. */
export function isInstanceId(s: string): boolean {
  const n = s.length;
  if ((n !== 10 && n !== 19) || s.charCodeAt(0) !== 105 || s.charCodeAt(1) !== 45) return false;
  for (let i = 2; i < n; i++) if (!isHexCode(s.charCodeAt(i))) return false;
  return true;
}

/** True for exactly 12 decimal digits. */
export function isAccountId(s: string): boolean {
  if (s.length !== 12) return false;
  for (let i = 0; i < 12; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Validates a dotted-quad IPv4 address between `from` and `to` (no leading zeros). */
function isIPv4Range(s: string, from: number, to: number): boolean {
  let parts = 0;
  let i = from;
  while (parts < 4) {
    const start = i;
    let v = 0;
    while (i < to && i - start < 3) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + c - 48;
      i++;
    }
    const n = i - start;
    if (n === 0 || v > 255 || (n > 1 && s.charCodeAt(start) === 48)) return false;
    parts++;
    if (parts < 4) {
      if (i >= to || s.charCodeAt(i) !== 46) return false;
      i++;
    }
  }
  return i === to;
}

/** True for a dotted-quad IPv4 address. */
export function isIPv4(s: string): boolean {
  return s.length >= 7 && s.length <= 15 && isIPv4Range(s, 0, s.length);
}

/** True for an IPv6 address in any RFC 4291 text form (zone ids are not accepted). */
export function isIPv6(s: string): boolean {
  const n = s.length;
  if (n < 2 || n > 45) return false;
  let groups = 0;
  let compressed = false;
  let i = 0;
  if (s.charCodeAt(0) === 58) { // leading "::"
    if (s.charCodeAt(1) !== 58) return false;
    compressed = true;
    i = 2;
    if (i === n) return true;
  }
  while (i < n) {
    const start = i;
    while (i < n && i - start < 4 && isHexCode(s.charCodeAt(i))) i++;
    if (i < n && s.charCodeAt(i) === 46) {
      // An embedded IPv4 address takes the last two groups.
      if (!isIPv4Range(s, start, n)) return false;
      groups += 2;
      i = n;
      break;
    }
    if (i === start) return false;
    groups++;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (s.charCodeAt(i) === 58) {
      if (compressed) return false;
      compressed = true;
      i++;
      if (i === n) break;
    } else if (i === n) {
      return false; // trailing single colon
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}

/** True for a hostname with at least two labels whose last label is not numeric. */
export function isDomainName(s: string): boolean {
  const n = s.length;
  if (n < 3 || n > 253) return false;
  let labelStart = 0;
  let dots = 0;
  let lastHasLetter = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46;
    if (c === 46) {
      const len = i - labelStart;
      if (len === 0 || len > 63) return false;
      if (s.charCodeAt(labelStart) === 45 || s.charCodeAt(i - 1) === 45) return false;
      if (i < n) {
        dots++;
        lastHasLetter = false;
      }
      labelStart = i + 1;
    } else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
      lastHasLetter = true;
    } else if (!((c >= 48 && c <= 57) || c === 45 || c === 95)) {
      return false;
    }
  }
  return dots > 0 && lastHasLetter;
}

function add(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/** JSON of a string list; values already known to need no escaping are joined directly. */
function jsonList(list: string[], safe: boolean): string {
  if (safe) return '["' + list.join('","') + '"]';
  let out = "[";
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (i) out += ",";
    out += needsEscape(s) ? JSON.stringify(s) : '"' + s + '"';
  }
  return out + "]";
}

function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** The lists gathered from one record. */
export interface Indicators {
  ips: string[];
  accountIds: string[];
  arns: string[];
  instanceIds: string[];
  domains: string[];
  usernames: string[];
}

/** Collects indicator values from records; reuses its lists between records. */
export class IndicatorCollector {
  readonly found: Indicators = {
    ips: [],
    accountIds: [],
    arns: [],
    instanceIds: [],
    domains: [],
    usernames: [],
  };

  /** Whether the last record walked has top-level keys starting with `p_`. */
  reservedKeys = false;

  /** Walks `record` and returns the p_any_* fields as a JSON fragment (`,"p_any_…":[…]…`), or "". */
  collect(record: Record<string, unknown>): string {
    const f = this.found;
    f.ips.length = 0;
    f.accountIds.length = 0;
    f.arns.length = 0;
    f.instanceIds.length = 0;
    f.domains.length = 0;
    f.usernames.length = 0;
    this.reservedKeys = false;
    for (const key in record) {
      const flags = flagsOf(key);
      if (flags & F_RESERVED) this.reservedKeys = true;
      this.#walk(record[key], flags, 0);
    }
    let out = "";
    // IPs, account ids, instance ids and domains were validated to plain ASCII.
    if (f.ips.length) out += ',"p_any_ip_addresses":' + jsonList(f.ips, true);
    if (f.accountIds.length) out += ',"p_any_aws_account_ids":' + jsonList(f.accountIds, true);
    if (f.arns.length) out += ',"p_any_aws_arns":' + jsonList(f.arns, false);
    if (f.instanceIds.length) {
      out += ',"p_any_aws_instance_ids":' + jsonList(f.instanceIds, true);
    }
    if (f.domains.length) out += ',"p_any_domain_names":' + jsonList(f.domains, true);
    if (f.usernames.length) out += ',"p_any_usernames":' + jsonList(f.usernames, false);
    return out;
  }

  #walk(value: unknown, flags: number, depth: number): void {
    if (typeof value === "string") {
      if (value.length !== 0) this.#visitString(value, flags);
    } else if (typeof value === "object" && value !== null && depth < MAX_DEPTH) {
      if (Array.isArray(value)) {
        // Array items inherit the key: `accountIds: ["…"]`, `ipAddresses: ["…"]`.
        for (let i = 0; i < value.length; i++) this.#walk(value[i], flags, depth + 1);
      } else {
        const obj = value as Record<string, unknown>;
        for (const key in obj) {
          const v = obj[key];
          // Key flags only matter for strings and lists of strings.
          if (typeof v === "string" || Array.isArray(v)) this.#walk(v, flagsOf(key), depth + 1);
          else if (typeof v === "object" && v !== null) this.#walk(v, 0, depth + 1);
        }
      }
    }
  }

  #visitString(s: string, flags: number): void {
    const c0 = s.charCodeAt(0);
    if (c0 === 97) { // "a": only ARNs matter among these
      if (s.startsWith("arn:aws")) this.#visitArn(s);
    } else if (c0 === 105 && isInstanceId(s)) {
      add(this.found.instanceIds, s);
    }
    if (flags === 0) return;
    if (flags & F_IP) {
      if ((c0 >= 48 && c0 <= 57) && isIPv4(s)) {
        add(this.found.ips, s);
        return;
      }
      if ((isHexCode(c0) || c0 === 58) && s.includes(":") && isIPv6(s)) {
        add(this.found.ips, s);
        return;
      }
    }
    if (flags & F_DOMAIN) {
      const host = s.charCodeAt(s.length - 1) === 46 ? s.slice(0, -1) : s;
      if (isDomainName(host)) add(this.found.domains, host);
    }
    if ((flags & F_ACCOUNT) && isAccountId(s)) add(this.found.accountIds, s);
    if ((flags & F_USER) && s !== HIDDEN_USER) add(this.found.usernames, s);
  }

  #visitArn(s: string): void {
    // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, partition "aws" or "aws-…".
    let i = 7;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 58) break;
      if (!((c >= 97 && c <= 122) || c === 45)) return;
    }
    const service = s.indexOf(":", i + 1);
    if (i >= s.length || (i > 7 && s.charCodeAt(7) !== 45) || service < 0) return;
    const region = s.indexOf(":", service + 1);
    if (region < 0) return;
    const account = s.indexOf(":", region + 1);
    if (account < 0) return;
    add(this.found.arns, s);
    if (account - region === 13) {
      const id = s.slice(region + 1, account);
      if (isAccountId(id)) add(this.found.accountIds, id);
    }
    const inst = s.indexOf("instance/i-", account + 1);
    if (inst >= 0) {
      const start = inst + 9;
      let end = s.indexOf("/", start);
      if (end < 0) end = s.length;
      const id = s.slice(start, end);
      if (isInstanceId(id)) add(this.found.instanceIds, id);
    }
  }
}
