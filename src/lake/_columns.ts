/**
 * The typed columns of a lake table, one list for both engines: the
 * CloudTrail record fields (names as CloudTrail writes them) and the p_ fields
 * iota adds. Fields whose shape varies by service (requestParameters,
 * responseElements…) are kept as JSON text. Fields not listed stay in the
 * files and can be read with JSON functions.
 *
 * Record fields: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @module
 */

/** A column type, written once and rendered per engine. */
export type ColumnType =
  | "string"
  | "boolean"
  | "timestamp"
  | "json"
  | { array: ColumnType }
  | { struct: [string, ColumnType][] };

/** One column: its JSON key and type. */
export interface Column {
  name: string;
  type: ColumnType;
}

const S = "string" as const;

const SESSION_ISSUER: ColumnType = {
  struct: [["type", S], ["principalId", S], ["arn", S], ["accountId", S], ["userName", S]],
};

/** CloudTrail `userIdentity`. */
const USER_IDENTITY: ColumnType = {
  struct: [
    ["type", S],
    ["principalId", S],
    ["arn", S],
    ["accountId", S],
    ["accessKeyId", S],
    ["userName", S],
    ["invokedBy", S],
    ["identityProvider", S],
    ["credentialId", S],
    ["onBehalfOf", { struct: [["userId", S], ["identityStoreArn", S]] }],
    ["sessionContext", {
      struct: [
        ["attributes", { struct: [["creationDate", S], ["mfaAuthenticated", S]] }],
        ["sessionIssuer", SESSION_ISSUER],
        ["sourceIdentity", S],
        ["ec2RoleDelivery", S],
      ],
    }],
  ],
};

/** Columns of the CloudTrail and CloudTrail Insight tables. */
export const CLOUDTRAIL_COLUMNS: readonly Column[] = [
  { name: "eventVersion", type: S },
  { name: "userIdentity", type: USER_IDENTITY },
  { name: "eventTime", type: S },
  { name: "eventSource", type: S },
  { name: "eventName", type: S },
  { name: "awsRegion", type: S },
  { name: "sourceIPAddress", type: S },
  { name: "userAgent", type: S },
  { name: "errorCode", type: S },
  { name: "errorMessage", type: S },
  { name: "requestParameters", type: "json" },
  { name: "responseElements", type: "json" },
  { name: "additionalEventData", type: "json" },
  { name: "requestID", type: S },
  { name: "eventID", type: S },
  { name: "readOnly", type: "boolean" },
  { name: "resources", type: { array: { struct: [["arn", S], ["accountId", S], ["type", S]] } } },
  { name: "eventType", type: S },
  { name: "apiVersion", type: S },
  { name: "managementEvent", type: "boolean" },
  { name: "recipientAccountId", type: S },
  { name: "sharedEventID", type: S },
  { name: "vpcEndpointId", type: S },
  { name: "vpcEndpointAccountId", type: S },
  { name: "eventCategory", type: S },
  { name: "serviceEventDetails", type: "json" },
  {
    name: "tlsDetails",
    type: { struct: [["tlsVersion", S], ["cipherSuite", S], ["clientProvidedHostHeader", S]] },
  },
  { name: "sessionCredentialFromConsole", type: S },
  { name: "edgeDeviceDetails", type: "json" },
  { name: "insightDetails", type: "json" },
  { name: "p_log_type", type: S },
  { name: "p_event_time", type: "timestamp" },
  { name: "p_parse_time", type: "timestamp" },
  { name: "p_row_id", type: S },
  { name: "p_source_id", type: S },
  { name: "p_source_label", type: S },
  { name: "p_source_file", type: { struct: [["aws_s3_bucket", S], ["aws_s3_key", S]] } },
  { name: "p_any_ip_addresses", type: { array: S } },
  { name: "p_any_aws_account_ids", type: { array: S } },
  { name: "p_any_aws_arns", type: { array: S } },
  { name: "p_any_aws_instance_ids", type: { array: S } },
  { name: "p_any_domain_names", type: { array: S } },
  { name: "p_any_usernames", type: { array: S } },
];

/** Hive type for Athena (names lower-cased: Athena's catalog is case-insensitive). */
export function athenaType(t: ColumnType): string {
  if (t === "string" || t === "json") return "STRING";
  if (t === "boolean") return "BOOLEAN";
  if (t === "timestamp") return "TIMESTAMP";
  if ("array" in t) return `ARRAY<${athenaType(t.array)}>`;
  return `STRUCT<${t.struct.map(([n, c]) => `${n.toLowerCase()}:${athenaType(c)}`).join(", ")}>`;
}

/** DuckDB type for `read_json(columns = {...})` (keys keep their CloudTrail spelling). */
export function duckdbType(t: ColumnType): string {
  if (t === "string") return "VARCHAR";
  if (t === "json") return "JSON";
  if (t === "boolean") return "BOOLEAN";
  if (t === "timestamp") return "TIMESTAMP";
  if ("array" in t) return `${duckdbType(t.array)}[]`;
  return `STRUCT(${t.struct.map(([n, c]) => `"${n}" ${duckdbType(c)}`).join(", ")})`;
}
