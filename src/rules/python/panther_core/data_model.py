"""Data models that map names used by `event.udm()` to event fields per log type."""

from iota_engine.datamodel import DataModel, JsonPath

__all__ = ["DataModel", "JsonPath"]
