"""The event types detection rules import (`from panther_core import PantherEvent`)."""

from iota_engine.event import PantherEvent

__all__ = ["PantherEvent"]
