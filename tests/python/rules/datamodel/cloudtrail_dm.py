def get_region_upper(event):
    return str(event.get("awsRegion", "")).upper()
