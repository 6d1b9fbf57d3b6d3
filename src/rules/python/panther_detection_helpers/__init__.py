"""Helpers that detection rules import, as `panther_detection_helpers.caching`."""
