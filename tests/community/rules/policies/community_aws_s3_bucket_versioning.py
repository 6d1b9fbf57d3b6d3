def policy(resource):
    versioning = resource.get("Versioning") or {}
    return versioning.get("Status") == "Enabled"
