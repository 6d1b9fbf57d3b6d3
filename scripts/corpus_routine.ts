/**
 * Routine automation for generated corpora: the everyday calls of service-linked
 * roles, AWS services acting on their own, applications reading their secrets and
 * CI/CD pipelines deploying. None of it is an attack; the bundled rules must stay at
 * Info or below on all of it.
 * @module
 */

/** The parts of a CloudTrail record a routine template decides. */
export interface RoutineCall {
  source: string;
  name: string;
  identity: Record<string, unknown>;
  sourceIP: string;
  userAgent: string;
  params: Record<string, unknown> | null;
  readOnly: boolean;
  data?: boolean;
  response?: Record<string, unknown>;
  resources?: Record<string, unknown>[];
}

type Rand = () => number;

function pick<T>(r: Rand, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

function id(r: Rand, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(r() * 16)];
  return s;
}

function privateIp(r: Rand): string {
  return `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`;
}

/** An assumed-role session; `service` marks a service-linked role used by that service. */
function roleSession(
  account: string,
  role: string,
  session: string,
  time: number,
  service?: string,
): Record<string, unknown> {
  const path = service ? `aws-service-role/${service}/` : "";
  const roleId = `AROA${role.toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 12).padEnd(12, "X")}`;
  const identity: Record<string, unknown> = {
    type: "AssumedRole",
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: `ASIA${roleId.slice(4)}EXAMPLE`,
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: roleId,
        arn: `arn:aws:iam::${account}:role/${path}${role}`,
        accountId: account,
        userName: role,
      },
      attributes: {
        creationDate: new Date(time - 900_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
        mfaAuthenticated: "false",
      },
    },
  };
  if (service) identity.invokedBy = service;
  return identity;
}

function awsService(service: string): Record<string, unknown> {
  return { type: "AWSService", invokedBy: service };
}

const CONFIG_READS: [string, string][] = [
  ["ec2.amazonaws.com", "DescribeSecurityGroups"],
  ["ec2.amazonaws.com", "DescribeSnapshots"],
  ["ec2.amazonaws.com", "DescribeImages"],
  ["ec2.amazonaws.com", "DescribeInstanceAttribute"],
  ["iam.amazonaws.com", "GetAccountAuthorizationDetails"],
  ["iam.amazonaws.com", "ListUsers"],
  ["iam.amazonaws.com", "ListAttachedRolePolicies"],
  ["iam.amazonaws.com", "ListPolicies"],
  ["rds.amazonaws.com", "DescribeDBInstances"],
  ["rds.amazonaws.com", "DescribeDBSnapshots"],
  ["cloudtrail.amazonaws.com", "GetTrailStatus"],
  ["guardduty.amazonaws.com", "ListDetectors"],
  ["secretsmanager.amazonaws.com", "ListSecrets"],
  ["kms.amazonaws.com", "ListKeys"],
];
const CI_ROLE = "github-actions-deploy";
const CLI = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64";
const TERRAFORM = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 terraform-provider-aws/5.70.0";
const BOTO = "Boto3/1.35.10 md/Botocore#1.35.10 ua/2.0 os/linux#6.5.0";

type Template = (r: Rand, time: number, account: string, region: string) => RoutineCall;

const TEMPLATES: Template[] = [
  // AWS Config's service-linked role inventories the account all day long.
  (r, time, account) => {
    const [source, name] = pick(r, CONFIG_READS);
    return {
      source,
      name,
      identity: roleSession(
        account,
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        time,
        "config.amazonaws.com",
      ),
      sourceIP: "config.amazonaws.com",
      userAgent: "config.amazonaws.com",
      params: name === "DescribeInstanceAttribute"
        ? { instanceId: `i-0${id(r, 16)}`, attribute: "instanceType" }
        : null,
      readOnly: true,
    };
  },
  // Auto Scaling launches and replaces instances, GPU workers included.
  (r, time, account) => ({
    source: "ec2.amazonaws.com",
    name: "RunInstances",
    identity: roleSession(
      account,
      "AWSServiceRoleForAutoScaling",
      "AutoScaling",
      time,
      "autoscaling.amazonaws.com",
    ),
    sourceIP: "autoscaling.amazonaws.com",
    userAgent: "autoscaling.amazonaws.com",
    params: {
      instancesSet: { items: [{ minCount: 1, maxCount: 1 }] },
      instanceType: pick(r, ["m7g.large", "c7i.xlarge", "g5.xlarge"]),
      launchTemplate: { launchTemplateId: `lt-0${id(r, 16)}`, version: "7" },
    },
    readOnly: false,
    response: { instancesSet: { items: [{ instanceId: `i-0${id(r, 16)}` }] } },
  }),
  // Applications read their own one or two secrets and decrypted parameters.
  (r, time, account) => ({
    source: "secretsmanager.amazonaws.com",
    name: "GetSecretValue",
    identity: roleSession(account, "app-server", `i-0${id(r, 16)}`, time),
    sourceIP: privateIp(r),
    userAgent: BOTO,
    params: { secretId: pick(r, ["prod/db/orders", "prod/stripe/api-key"]) },
    readOnly: true,
  }),
  (r, time, account) => ({
    source: "ssm.amazonaws.com",
    name: pick(r, ["GetParameter", "GetParameters"]),
    identity: roleSession(account, "app-server", `i-0${id(r, 16)}`, time),
    sourceIP: privateIp(r),
    userAgent: BOTO,
    params: {
      name: pick(r, ["/prod/orders/db-password", "/prod/orders/jwt-secret"]),
      withDecryption: true,
    },
    readOnly: true,
  }),
  // The CI/CD pipeline deploys code, layers, stacks and roles.
  (r, time, account, region) => {
    const run = `gha-${Math.floor(r() * 9000) + 1000}`;
    const identity = roleSession(account, CI_ROLE, run, time);
    const fn = pick(r, ["orders-api", "thumbnails", "billing-export"]);
    const choice = Math.floor(r() * 6);
    const base = { identity, sourceIP: "192.0.2.40", userAgent: TERRAFORM, readOnly: false };
    if (choice === 0) {
      return {
        ...base,
        source: "lambda.amazonaws.com",
        name: "UpdateFunctionCode20150331v2",
        params: { functionName: fn, s3Bucket: `build-artifacts-${account}`, s3Key: `${fn}.zip` },
      };
    }
    if (choice === 1) {
      return {
        ...base,
        source: "lambda.amazonaws.com",
        name: "UpdateFunctionConfiguration20150331v2",
        params: {
          functionName: fn,
          memorySize: 512,
          layers: [`arn:aws:lambda:${region}:${account}:layer:shared-libs:14`],
        },
      };
    }
    if (choice === 2) {
      return {
        ...base,
        source: "cloudformation.amazonaws.com",
        name: "UpdateStack",
        params: { stackName: "platform", roleARN: `arn:aws:iam::${account}:role/cfn-exec` },
      };
    }
    if (choice === 3) {
      return {
        ...base,
        source: "iam.amazonaws.com",
        name: "CreateRole",
        params: {
          roleName: `${fn}-role`,
          assumeRolePolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{
              Effect: "Allow",
              Principal: { Service: "lambda.amazonaws.com" },
              Action: "sts:AssumeRole",
            }],
          }),
        },
      };
    }
    if (choice === 4) {
      return {
        ...base,
        source: "s3.amazonaws.com",
        name: "PutBucketPolicy",
        params: {
          bucketName: `assets-${account}`,
          bucketPolicy: {
            Version: "2012-10-17",
            Statement: [{
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${account}:role/app-server` },
              Action: "s3:GetObject",
              Resource: `arn:aws:s3:::assets-${account}/*`,
            }],
          },
        },
      };
    }
    return {
      ...base,
      source: "sts.amazonaws.com",
      name: "GetCallerIdentity",
      params: null,
      readOnly: true,
      userAgent: CLI,
    };
  },
  // AWS services cleaning up after themselves.
  (r, _time, account) => {
    const choice = Math.floor(r() * 4);
    if (choice === 0) {
      const key = `tmp/${id(r, 8)}.bin`;
      return {
        source: "s3.amazonaws.com",
        name: "DeleteObject",
        identity: awsService("s3.amazonaws.com"),
        sourceIP: "s3.amazonaws.com",
        userAgent: "s3.amazonaws.com",
        params: { bucketName: `scratch-${account}`, key },
        readOnly: false,
        data: true,
        resources: [{ type: "AWS::S3::Object", ARN: `arn:aws:s3:::scratch-${account}/${key}` }],
      };
    }
    if (choice === 1) {
      return {
        source: "backup.amazonaws.com",
        name: "DeleteRecoveryPoint",
        identity: awsService("backup.amazonaws.com"),
        sourceIP: "backup.amazonaws.com",
        userAgent: "backup.amazonaws.com",
        params: {
          backupVaultName: "Default",
          recoveryPointArn: `arn:aws:ec2:us-east-1::snapshot/snap-0${id(r, 16)}`,
        },
        readOnly: false,
      };
    }
    if (choice === 2) {
      return {
        source: "ssm.amazonaws.com",
        name: "SendCommand",
        identity: awsService("ssm.amazonaws.com"),
        sourceIP: "ssm.amazonaws.com",
        userAgent: "ssm.amazonaws.com",
        params: {
          documentName: "AWS-RunPatchBaseline",
          targets: [{ key: "tag:Patch", values: ["true"] }],
        },
        readOnly: false,
      };
    }
    return {
      source: "kms.amazonaws.com",
      name: "GenerateDataKey",
      identity: awsService("s3.amazonaws.com"),
      sourceIP: "s3.amazonaws.com",
      userAgent: "s3.amazonaws.com",
      params: { keyId: `arn:aws:kms:us-east-1:${account}:alias/aws/s3`, keySpec: "AES_256" },
      readOnly: true,
    };
  },
];

/** One routine automation call, chosen at random. */
export function routineCall(r: Rand, time: number, account: string, region: string): RoutineCall {
  return pick(r, TEMPLATES)(r, time, account, region);
}
