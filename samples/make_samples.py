#!/usr/bin/env python3
"""Writes iota's demo trail: one day of an organization trail with an intrusion in it.

Run from anywhere: python3 samples/make_samples.py
Deterministic (fixed seed and timestamps, gzip mtime 0). Stdlib only; the
record builders are shared with the test fixtures (tests/fixtures/cloudtrail_builder.py).

The day, Tuesday 2026-11-24, in the organization o-exampleorg1:
  08:50  production (111122223333) starts its day: sign-ins with MFA, a CI deploy,
         application traffic.
  13:40  a contractor's password is used from an unknown address, without MFA. The
         session lists users, mints an access key for the backup user and makes it
         administrator.
  14:00  the new key stops the account trail, deletes GuardDuty, opens the customer
         exports bucket to the world and downloads from it, exposes SSH on the
         bastion's security group and schedules the exports key for deletion.
  14:20  it assumes the organization access role in the data account
         (444455556666), makes a database volume snapshot public and stops AWS Config.
  16:50  the platform admin responds: keys removed, settings restored (none of which
         alerts).
tests/manifests/samples.json lists the files and the alerts iota should raise (it
lives with the test fixtures so that processing samples/ sees only the trail).
"""

import json
import os
import shutil
import sys
from datetime import timedelta

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "scripts", "fixtures")
MANIFESTS = os.path.join(HERE, "..", "tests", "manifests")
sys.path.insert(0, SCRIPTS)

import cloudtrail_builder as ct  # noqa: E402

ORG = "o-exampleorg1"
PROD = "111122223333"
DATA = "444455556666"
DAY = "2026-11-24"

ATTACKER_IP = "203.0.113.77"
ALICE_IP = "198.51.100.10"
BOB_IP = "198.51.100.12"
DANA_IP = "198.51.100.31"
JORDAN_IP = "198.51.100.23"
CI_IP = "192.0.2.40"
BACKUP_HOST_IP = "192.0.2.50"
APP_NAT_IP = "192.0.2.15"

EXPORTS_BUCKET = "examplecorp-customer-exports"
EXPORTS_KEY = "7c1f0e2d-3b4a-4c5d-9e6f-a0b1c2d3e4f5"
BASTION_SG = "sg-0b1a2c3d4e5f60789"
DB_SNAPSHOT = "snap-07e6d5c4b3a291807"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"

EXPECTED = ct.Expectations()
expect = EXPECTED.expect


def t(clock):
    """A time of the demo day: t("13:41:05")."""
    return ct.at(f"{DAY}T{clock}Z")


# --- People and workloads ------------------------------------------------------

alice = ct.iam_user(PROD, "alice", ALICE_IP)
alice_console = ct.console_user(PROD, "alice", ALICE_IP, f"{DAY}T08:52:14Z")
alice_responder = ct.console_user(PROD, "alice", ALICE_IP, f"{DAY}T16:52:40Z")
bob = ct.iam_user(PROD, "bob", BOB_IP)
dana = ct.assumed_role(
    PROD,
    "Engineer",
    "dana@examplecorp.example",
    DANA_IP,
    ct.CONSOLE_AGENT,
    created=f"{DAY}T08:49:40Z",
)
carol = ct.iam_user(PROD, "carol", ATTACKER_IP)
carol_console = ct.console_user(PROD, "carol", ATTACKER_IP, f"{DAY}T13:41:05Z", mfa=False)
backup_job = ct.iam_user(PROD, "svc-backup", BACKUP_HOST_IP, ct.BOTO_AGENT)
stolen_key = ct.new_access_key_id("svc-backup", t("13:47:33"))
intruder = ct.iam_user(PROD, "svc-backup", ATTACKER_IP, ct.BOTO_AGENT, key=stolen_key)
intruder_in_data = ct.assumed_role(
    DATA,
    "OrganizationAccountAccessRole",
    "svc-backup",
    ATTACKER_IP,
    ct.BOTO_AGENT,
    created=f"{DAY}T14:21:02Z",
)
ci = ct.assumed_role(
    PROD, "ci-deployer", "gha-run-5120", CI_IP, ct.TERRAFORM_AGENT, created=f"{DAY}T08:58:20Z"
)
orders_api = ct.assumed_role(
    PROD,
    "orders-api",
    "orders-api-handler",
    APP_NAT_IP,
    ct.SDK_JS_AGENT,
    created=f"{DAY}T06:00:00Z",
)
report_worker = ct.assumed_role(
    PROD,
    "report-worker",
    "0f9e8d7c6b5a49382716a5b4c3d2e1f0",
    APP_NAT_IP,
    ct.BOTO_AGENT,
    created=f"{DAY}T07:30:00Z",
)
etl = ct.assumed_role(
    DATA, "etl-runner", "etl-hourly-21c4", APP_NAT_IP, ct.BOTO_AGENT, created=f"{DAY}T14:00:00Z"
)
jordan = ct.assumed_role(
    DATA,
    "OrganizationAccountAccessRole",
    "jordan",
    JORDAN_IP,
    ct.CLI_AGENT,
    created=f"{DAY}T14:10:00Z",
    mfa=True,
)

PROD_DAY = [
    ct.reads_by(alice, bob, ci, dana),
    ct.service_session("lambda", PROD, "orders-api", "orders-api-handler"),
    ct.object_access(orders_api, "examplecorp-app-assets", "orders/{when:%Y/%m}/{n}.json"),
    ct.object_access(orders_api, "examplecorp-app-assets", "catalog/images/{n}.webp"),
    ct.object_access(
        report_worker, "examplecorp-reports", "daily/{when:%Y-%m-%d}/part-{n}.csv", "PutObject"
    ),
    ct.reads_by(alice, bob, ci, dana),
    ct.call(orders_api, "dynamodb", "DescribeTable", {"tableName": "orders"}),
    ct.call(
        report_worker,
        "ssm",
        "GetParameter",
        {"name": "/reports/smtp-endpoint", "withDecryption": False},
    ),
    ct.service_session("ecs-tasks", PROD, "report-worker", "0f9e8d7c6b5a49382716a5b4c3d2e1f0"),
    ct.call(
        orders_api,
        "logs",
        "CreateLogStream",
        {"logGroupName": "/aws/lambda/orders-api", "logStreamName": "2026/11/24/[$LATEST]a1b2c3"},
    ),
]

DATA_DAY = [
    ct.service_session("ecs-tasks", DATA, "etl-runner", "etl-hourly-21c4"),
    ct.object_access(
        etl, "examplecorp-data-lake-raw", "events/dt={when:%Y-%m-%d}/part-{n}.parquet"
    ),
    ct.object_access(
        etl,
        "examplecorp-data-lake-curated",
        "orders/dt={when:%Y-%m-%d}/part-{n}.parquet",
        "PutObject",
    ),
    ct.call(etl, "glue", "GetTable", {"databaseName": "raw", "name": "events"}),
    ct.call(
        etl, "glue", "BatchCreatePartition", {"databaseName": "curated", "tableName": "orders"}
    ),
    ct.reads_by(jordan),
]


# --- The day's files ------------------------------------------------------------


def morning(b):
    """Production, 08:50-09:05: sign-ins with MFA, a CI deploy, app traffic."""
    f = ct.TrailFile(PROD, "us-east-1", t("09:05:00"), org=ORG)
    f.records += ct.everyday(b, t("08:50:00"), 900, 62, "us-east-1", PROD_DAY)
    f.records.append(ct.console_login(b, alice, t("08:52:14")))
    f.records.append(ct.console_login(b, dana, t("08:49:40")))
    f.records.append(ct.console_login(b, bob, t("08:57:41"), agent=ct.BROWSER_AGENT_WINDOWS))
    f.records += ct.routine_reads(b, alice_console, t("08:53:00"), "us-east-1", 6)
    f.records.append(
        ct.api(
            b,
            ci,
            t("08:59:02"),
            "cloudformation",
            "CreateChangeSet",
            "us-east-1",
            {"stackName": "orders-api", "changeSetName": "gha-run-5120", "changeSetType": "UPDATE"},
            None,
        )
    )
    f.records.append(
        ct.api(
            b,
            ci,
            t("08:59:40"),
            "cloudformation",
            "ExecuteChangeSet",
            "us-east-1",
            {"stackName": "orders-api", "changeSetName": "gha-run-5120"},
            None,
        )
    )
    f.records.append(
        ct.api(
            b,
            ci,
            t("09:00:31"),
            "lambda",
            "UpdateFunctionCode20150331v2",
            "us-east-1",
            {"functionName": "orders-api", "publish": True},
            None,
        )
    )
    f.records.append(ct.create_access_key(b, backup_job, t("09:02:10")))
    f.records.append(
        ct.authorize_ingress(
            b,
            alice_console,
            t("09:03:22"),
            "us-east-1",
            "sg-0d4c3b2a1f0e9d8c7",
            "tcp",
            5432,
            5432,
            "10.20.0.0/16",
        )
    )
    return f


def intrusion(b):
    """Production, 13:38-13:55: the contractor's password is used without MFA."""
    f = ct.TrailFile(PROD, "us-east-1", t("13:55:00"), org=ORG)
    f.records += ct.everyday(b, t("13:38:00"), 1020, 52, "us-east-1", PROD_DAY)
    f.records.append(
        ct.console_login(b, carol, t("13:40:12"), success=False, agent=ct.BROWSER_AGENT_WINDOWS)
    )
    f.records.append(
        expect(
            ct.console_login(b, carol, t("13:41:05"), mfa=False, agent=ct.BROWSER_AGENT_WINDOWS),
            "ConsoleLoginWithoutMFA",
            carol.arn,
        )
    )
    recon = [
        ("iam", "ListUsers", None),
        ("iam", "ListAttachedUserPolicies", {"userName": "svc-backup"}),
        ("iam", "ListAccessKeys", {"userName": "svc-backup"}),
        ("iam", "GetUser", {"userName": "svc-backup"}),
        ("s3", "ListBuckets", {"Host": "s3.amazonaws.com"}),
        ("cloudtrail", "DescribeTrails", {"includeShadowTrails": True}),
        ("guardduty", "ListDetectors", None),
        (
            "ec2",
            "DescribeSecurityGroups",
            {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}},
        ),
    ]
    for step, (service, name, request) in enumerate(recon):
        region = "us-east-1"
        f.records.append(
            ct.api(
                b,
                carol_console,
                t("13:42:00") + timedelta(seconds=25 * step),
                service,
                name,
                region,
                request,
                None,
            )
        )
    f.records.append(
        ct.api(
            b,
            carol_console,
            t("13:46:02"),
            "kms",
            "ListKeys",
            "us-east-1",
            None,
            None,
            error=ct.denied(carol_console, "kms", "ListKeys"),
        )
    )
    f.records.append(
        expect(
            ct.create_access_key(b, carol_console, t("13:47:33"), "svc-backup"),
            "AccessKeyCreatedForOtherUser",
            carol.arn,
        )
    )
    f.records.append(
        expect(
            ct.attach_policy(b, carol_console, t("13:49:02"), "user", "svc-backup", ADMIN_POLICY),
            "AdminPolicyAttached",
            carol.arn,
        )
    )
    return f


def takeover(b):
    """Production, 14:00-14:20: the new key blinds the account and takes the exports."""
    f = ct.TrailFile(PROD, "us-east-1", t("14:20:00"), org=ORG)
    f.records += ct.everyday(b, t("14:00:00"), 1200, 56, "us-east-1", PROD_DAY)
    f.records.append(ct.api(b, intruder, t("14:00:40"), "sts", "GetCallerIdentity", "us-east-1"))
    f.records.append(
        ct.api(
            b,
            intruder,
            t("14:01:15"),
            "cloudtrail",
            "GetTrailStatus",
            "us-east-1",
            {"name": "prod-account-trail"},
            None,
        )
    )
    f.records.append(
        expect(
            ct.trail_call(
                b, intruder, t("14:02:10"), "us-east-1", "StopLogging", "prod-account-trail"
            ),
            "TrailStopped",
            intruder.arn,
        )
    )
    f.records.append(
        expect(
            ct.guardduty_call(
                b,
                intruder,
                t("14:03:05"),
                "us-east-1",
                "DeleteDetector",
                "6ac4f2e0d8b6a4c2e0f8d6b4a2c0e8f6",
            ),
            "GuardDutyDisabled",
            intruder.arn,
        )
    )
    f.records.append(
        ct.api(
            b,
            intruder,
            t("14:04:20"),
            "s3",
            "GetBucketPolicy",
            "us-east-1",
            {
                "bucketName": EXPORTS_BUCKET,
                "Host": f"{EXPORTS_BUCKET}.s3.amazonaws.com",
                "policy": [""],
            },
            None,
            error=("NoSuchBucketPolicy", "The bucket policy does not exist"),
        )
    )
    f.records.append(
        expect(
            ct.public_access_block(b, intruder, t("14:05:40"), "us-east-1", EXPORTS_BUCKET, False),
            "S3BlockPublicAccessDisabled",
            f"{PROD}:{EXPORTS_BUCKET}",
        )
    )
    f.records.append(
        expect(
            ct.bucket_policy(
                b,
                intruder,
                t("14:06:15"),
                "us-east-1",
                EXPORTS_BUCKET,
                [ct.public_read_statement(EXPORTS_BUCKET)],
            ),
            "S3BucketMadePublic",
            EXPORTS_BUCKET,
        )
    )
    for step in range(22):
        when = t("14:07:00") + timedelta(seconds=13 * step + b.rng.randrange(8))
        f.records.append(
            ct.s3_object_call(
                b,
                intruder,
                when,
                "us-east-1",
                EXPORTS_BUCKET,
                f"exports/2026-11/customers-{step:03d}.csv.gz",
                size=b.rng.randrange(20_000_000, 90_000_000),
            )
        )
    f.records.append(
        expect(
            ct.authorize_ingress(
                b, intruder, t("14:13:30"), "us-east-1", BASTION_SG, "tcp", 22, 22, "0.0.0.0/0"
            ),
            "SecurityGroupOpenToWorld",
            f"{PROD}:{BASTION_SG}",
        )
    )
    f.records.append(
        expect(
            ct.kms_call(
                b,
                intruder,
                t("14:16:45"),
                "us-east-1",
                "ScheduleKeyDeletion",
                EXPORTS_KEY,
                {"pendingWindowInDays": 7},
            ),
            "KMSKeyDisabledOrDeleted",
            intruder.arn,
        )
    )
    return f


def data_account(b):
    """Data account, us-west-2, 14:20-14:40: the intruder arrives through the organization role."""
    f = ct.TrailFile(DATA, "us-west-2", t("14:40:00"), org=ORG)
    f.records += ct.everyday(b, t("14:20:00"), 1200, 44, "us-west-2", DATA_DAY)
    role_arn = f"arn:aws:iam::{DATA}:role/OrganizationAccountAccessRole"
    f.records.append(
        ct.api(
            b,
            intruder,
            t("14:21:02"),
            "sts",
            "AssumeRole",
            "us-west-2",
            {"roleArn": role_arn, "roleSessionName": "svc-backup"},
            {
                "assumedRoleUser": {
                    "assumedRoleId": intruder_in_data.identity["principalId"],
                    "arn": intruder_in_data.arn,
                },
                "credentials": {
                    "accessKeyId": intruder_in_data.identity["accessKeyId"],
                    "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE" + b.hex(24),
                    "expiration": "Nov 24, 2026, 3:21:02 PM",
                },
            },
            account=DATA,
            read_only=True,
            resources=[{"accountId": DATA, "type": "AWS::IAM::Role", "ARN": role_arn}],
            shared_event_id=b.uuid(),
        )
    )
    f.records.append(
        ct.api(
            b,
            intruder_in_data,
            t("14:23:10"),
            "ec2",
            "DescribeSnapshots",
            "us-west-2",
            {"ownersSet": {"items": [{"owner": "self"}]}, "filterSet": {}},
            None,
        )
    )
    f.records.append(
        expect(
            ct.snapshot_permission(
                b,
                intruder_in_data,
                t("14:26:10"),
                "us-west-2",
                DB_SNAPSHOT,
                "add",
                {"group": "all"},
            ),
            "SnapshotMadePublic",
            f"{DATA}:{DB_SNAPSHOT}",
        )
    )
    f.records.append(
        expect(
            ct.config_call(
                b, intruder_in_data, t("14:28:30"), "us-west-2", "StopConfigurationRecorder"
            ),
            "ConfigRecorderStopped",
            intruder_in_data.arn,
        )
    )
    return f


def response(b):
    """Production, 16:50-17:10: the platform admin undoes the changes; nothing here alerts."""
    f = ct.TrailFile(PROD, "us-east-1", t("17:10:00"), org=ORG)
    f.records += ct.everyday(b, t("16:50:00"), 1200, 38, "us-east-1", PROD_DAY)
    f.records.append(ct.console_login(b, alice, t("16:52:40")))
    admin = alice_responder
    old_key = ct.access_key_id("AKIA", f"{PROD}:svc-backup")
    steps = [
        (
            "iam",
            "UpdateAccessKey",
            {"userName": "svc-backup", "accessKeyId": stolen_key, "status": "Inactive"},
        ),
        ("iam", "DeleteAccessKey", {"userName": "svc-backup", "accessKeyId": stolen_key}),
        ("iam", "DetachUserPolicy", {"userName": "svc-backup", "policyArn": ADMIN_POLICY}),
        ("iam", "DeleteLoginProfile", {"userName": "carol"}),
        (
            "iam",
            "UpdateAccessKey",
            {"userName": "svc-backup", "accessKeyId": old_key, "status": "Active"},
        ),
        (
            "cloudtrail",
            "StartLogging",
            {"name": f"arn:aws:cloudtrail:us-east-1:{PROD}:trail/prod-account-trail"},
        ),
        (
            "guardduty",
            "CreateDetector",
            {"enable": True, "findingPublishingFrequency": "FIFTEEN_MINUTES"},
        ),
        (
            "s3",
            "DeleteBucketPolicy",
            {
                "bucketName": EXPORTS_BUCKET,
                "Host": f"{EXPORTS_BUCKET}.s3.amazonaws.com",
                "policy": [""],
            },
        ),
        ("kms", "CancelKeyDeletion", {"keyId": EXPORTS_KEY}),
        (
            "ec2",
            "RevokeSecurityGroupIngress",
            {
                "groupId": BASTION_SG,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "groups": {},
                            "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]},
                            "ipv6Ranges": {},
                            "prefixListIds": {},
                        }
                    ]
                },
            },
        ),
    ]
    for step, (service, name, request) in enumerate(steps):
        f.records.append(
            ct.api(
                b,
                admin,
                t("16:54:00") + timedelta(seconds=40 * step),
                service,
                name,
                "us-east-1",
                request,
                None,
            )
        )
    f.records.append(
        ct.public_access_block(b, admin, t("17:01:30"), "us-east-1", EXPORTS_BUCKET, True)
    )
    f.records.append(ct.kms_call(b, admin, t("17:02:05"), "us-east-1", "EnableKey", EXPORTS_KEY))
    return f


def main():
    shutil.rmtree(os.path.join(HERE, "AWSLogs"), ignore_errors=True)
    b = ct.Builder(20261124)
    files = {}
    delivered = []
    for make in (morning, intrusion, takeover, data_account, response):
        trail_file = make(b)
        key, _ = ct.write_trail_file(HERE, trail_file)
        files[key] = ct.file_entry(trail_file, EXPECTED)
        delivered.append((key, trail_file.records))
    alerts = EXPECTED.alerts(delivered)
    manifest = {
        "description": (
            "The demo trail in samples/ (paths below are relative to it): one day of the "
            "organization trail of o-exampleorg1 with an intrusion in it. 'files' gives each "
            "file's records and the bundled rules it triggers; 'alerts' the alerts iota should "
            "raise (matches grouped by rule and dedup key within 60 minutes). "
            "Regenerate with: python3 samples/make_samples.py"
        ),
        "files": files,
        "totals": {
            "objects": len(files),
            "events": sum(entry["events"] for entry in files.values()),
            "matches": EXPECTED.matches(r for _, records in delivered for r in records),
            "alerts": len(alerts),
        },
        "alerts": alerts,
    }
    with open(os.path.join(MANIFESTS, "samples.json"), "w") as handle:
        handle.write(json.dumps(manifest, indent=2) + "\n")
    totals = manifest["totals"]
    print(
        f"wrote {len(files)} files, {totals['events']} events, {totals['alerts']} expected alerts"
    )


if __name__ == "__main__":
    main()
