"""Request handlers of the worker, one method per `op`."""

import os
import sys

from .evaluate import evaluate
from .loader import RuleSet
from .state import StateStore, active_store, use_store
from .testing import run_tests


class Worker:
    """Holds the loaded rules and answers requests."""

    def __init__(self, capture):
        self.capture = capture
        self.rule_set = RuleSet()

    def handle(self, request) -> dict:
        """The response to one decoded request."""
        sys.stdout = sys.stderr = self.capture
        if not isinstance(request, dict):
            raise ValueError(f"Request must be an object, got {type(request).__name__}")
        op = request.get("op")
        handler = self._handlers.get(op)
        if handler is None:
            raise ValueError(f'Unknown op "{op}"')
        return handler(self, request)

    def ping(self, _request) -> dict:
        return {"ok": True}

    def load(self, request) -> dict:
        state_path = request.get("state_path")
        if state_path and state_path != ":memory:":
            state_path = os.path.abspath(state_path)
        active_store().close()
        use_store(StateStore(state_path or ":memory:"))
        return self.rule_set.load(request, self.capture)

    def eval(self, request) -> dict:
        return evaluate(
            self.rule_set, request.get("events") or [], request.get("targets") or [], self.capture
        )

    def test(self, request) -> dict:
        return run_tests(self.rule_set, request, self.capture)

    _handlers = {"ping": ping, "load": load, "eval": eval, "test": test}
