"""Shared pieces of the Python worker tests: paths and a protocol client."""

import json
import os
import struct
import subprocess
import sys

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(os.path.dirname(TESTS_DIR))
ENGINE_DIR = os.path.join(REPO_DIR, "src", "rules", "python")
ENGINE = os.path.join(ENGINE_DIR, "engine.py")
RULES_DIR = os.path.join(TESTS_DIR, "rules")
HELPERS_DIR = os.path.join(RULES_DIR, "helpers")

if ENGINE_DIR not in sys.path:
    sys.path.insert(0, ENGINE_DIR)


def rule_path(name: str) -> str:
    return os.path.join(RULES_DIR, name)


def rule_spec(rule_id: str, filename: str, severity: str = "Medium", log_types=("AWS.CloudTrail",)):
    return {"id": rule_id, "path": rule_path(filename), "severity": severity, "log_types": list(log_types)}


class EngineClient:
    """Runs engine.py as a child process and speaks its framing protocol."""

    def __init__(self, cwd=None):
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-B", ENGINE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
        self.stderr_output = None
        self.ready = self.read_frame()

    def send_bytes(self, payload: bytes) -> None:
        self.process.stdin.write(struct.pack(">I", len(payload)) + payload)
        self.process.stdin.flush()

    def read_frame(self):
        header = self.process.stdout.read(4)
        if len(header) < 4:
            raise EOFError(f"engine closed its output; stderr: {self.process.stderr.read()!r}")
        (length,) = struct.unpack(">I", header)
        payload = self.process.stdout.read(length)
        if len(payload) < length:
            raise EOFError("engine output ended inside a frame")
        return json.loads(payload)

    def request(self, message: dict):
        self.send_bytes(json.dumps(message).encode("utf-8"))
        return self.read_frame()

    def load(self, rules, helpers=(), state_path=None, data_models=None):
        message = {"op": "load", "helpers": list(helpers), "state_path": state_path, "rules": rules}
        if data_models is not None:
            message["data_models"] = data_models
        return self.request(message)

    def close(self) -> int:
        """Close stdin and return the exit code."""
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        self.stderr_output = self.process.stderr.read().decode("utf-8", "replace")
        code = self.process.wait(timeout=10)
        self.process.stdout.close()
        self.process.stderr.close()
        return code
