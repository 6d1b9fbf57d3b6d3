"""Read-only containers that event data is wrapped in."""

from iota_engine.immutable import (
    ImmutableCaseInsensitiveDict,
    ImmutableContainerMixin,
    ImmutableList,
    json_encoder,
)

__all__ = ["ImmutableCaseInsensitiveDict", "ImmutableContainerMixin", "ImmutableList", "json_encoder"]
