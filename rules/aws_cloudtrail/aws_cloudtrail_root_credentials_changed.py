from iota_aws_helpers import account_id, aws_context, is_failed, is_root

ROOT_CREDENTIAL_EVENTS = {
    "CreateAccessKey",
    "UpdateAccessKey",
    "CreateVirtualMFADevice",
    "EnableMFADevice",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
    "ChangePassword",
    "PasswordUpdated",
    "UploadSigningCertificate",
}
CRITICAL_EVENTS = {"CreateAccessKey", "UploadSigningCertificate"}


def rule(event):
    if event.get("eventName") not in ROOT_CREDENTIAL_EVENTS:
        return False
    return is_root(event) and not is_failed(event)


def title(event):
    return (
        f"Root user credentials changed in account [{account_id(event)}]: "
        f"{event.get('eventName')} from [{event.get('sourceIPAddress', '<unknown>')}]"
    )


def severity(event):
    # Root access keys are never needed for normal work.
    return "CRITICAL" if event.get("eventName") in CRITICAL_EVENTS else "DEFAULT"


def dedup(event):
    return account_id(event)


def alert_context(event):
    return aws_context(
        event,
        new_access_key=event.deep_get("responseElements", "accessKey", "accessKeyId"),
        mfa_serial=event.deep_get("requestParameters", "serialNumber"),
    )
