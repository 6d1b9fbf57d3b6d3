"""`PantherEvent`, the event object rules receive."""

from iota_engine.event import PantherEvent

__all__ = ["PantherEvent"]
