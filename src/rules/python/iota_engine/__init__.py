"""iota's Python worker internals.

The worker (`engine.py`) loads detection rules and runs them over events sent
by the Deno process. The modules here hold its parts:

- `protocol`  length-prefixed JSON frames over pipes
- `immutable` read-only views over event data
- `event`     `PantherEvent`, the object a rule receives
- `datamodel` data models behind `event.udm()`
- `state`     the SQLite store behind `panther_detection_helpers.caching`
- `capture`   per-rule capture of printed output
- `errors`    exceptions turned into error records
- `loader`    importing rule modules
- `alerting`  alert fields from a matching rule's optional functions
- `evaluate`  the `eval` request
- `testing`   the `test` request (a rule's YAML unit tests)
- `prefilter` static analysis of `rule()` guards
- `worker`    the request handlers that `engine.py` dispatches to
"""
