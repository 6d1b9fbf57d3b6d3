"""Importing rule modules, helper directories and data models."""

import importlib
import importlib.util
import os
import re
import sys

from .datamodel import DataModel, DataModelRegistry, JsonPath
from .errors import exception_location, exception_message, format_location
from .prefilter import NO_PREFILTER, static_prefilter

ALERT_FUNCTIONS = (
    "title",
    "dedup",
    "severity",
    "alert_context",
    "description",
    "reference",
    "runbook",
    "destinations",
)
SEVERITIES = ("Info", "Low", "Medium", "High", "Critical")
_CANONICAL_SEVERITY = {name.lower(): name for name in SEVERITIES}
_ENGINE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_RULE_MODULE_PREFIX = "iota_rule_"
_DATA_MODEL_MODULE_PREFIX = "iota_data_model_"


def canonical_severity(value):
    """`value` in canonical case (Info|Low|Medium|High|Critical), or None when it is not a severity."""
    if not isinstance(value, str):
        return None
    return _CANONICAL_SEVERITY.get(value.strip().lower())


class LoadedRule:
    """A rule module and what the worker needs to run it."""

    def __init__(self, spec: dict):
        self.id = str(spec.get("id") or "")
        self.path = os.path.abspath(spec["path"]) if spec.get("path") else ""
        severity = spec.get("severity")
        self.severity = canonical_severity(severity) or severity
        self.log_types = list(spec.get("log_types") or [])
        self.module = None
        self.rule = None
        self.functions = {}
        self.loaded = False
        self.error = None
        self.traceback = None
        self.prefilter = NO_PREFILTER

    def summary(self) -> dict:
        return {
            "id": self.id,
            "loaded": self.loaded,
            "error": self.error,
            "traceback": self.traceback,
            "functions": (["rule"] if self.rule else []) + list(self.functions),
            "prefilter": self.prefilter,
        }


def module_name(prefix: str, name: str, taken: set) -> str:
    base = prefix + (re.sub(r"\W", "_", name) or "unnamed")
    candidate = base
    counter = 2
    while candidate in taken:
        candidate = f"{base}_{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


def import_file(name: str, path: str):
    """Import the Python file at `path` as module `name`; removes it again when importing fails."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f'Cannot import "{path}": not a Python source file')
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def describe_import_error(exc, path: str) -> str:
    """One line naming what went wrong while importing `path`."""
    kind = type(exc).__name__
    if isinstance(exc, SyntaxError):
        location = exception_location(exc, path)
        where = f" ({location[0]}:{location[1]})" if location else ""
        return f"{kind}: {exc.msg}{where}"
    message = f"{kind}: {exception_message(exc)}"
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return f"{message} ({missing_module_hint(exc.name)})"
    location = format_location(exception_location(exc, path), with_code=False)
    return f"{message} ({location})" if location else message


# Import names whose PyPI package is named differently, among those community helpers use.
_PACKAGE_OF_MODULE = {
    "dateutil": "python-dateutil",
    "yaml": "PyYAML",
    "jwt": "PyJWT",
    "dns": "dnspython",
    "Crypto": "pycryptodome",
    "OpenSSL": "pyOpenSSL",
    "bs4": "beautifulsoup4",
    "ipinfo": "ipinfo",
    "policyuniverse": "policyuniverse",
}
_HELPER_MODULE_PREFIXES = ("panther_", "global_")


def missing_module_hint(name: str) -> str:
    """What to do about a module that could not be found, naming the package to install."""
    top = name.split(".")[0]
    if top in _PACKAGE_OF_MODULE:
        package = _PACKAGE_OF_MODULE[top]
        return f"missing Python package '{package}': install it with pip install {package}"
    if top.startswith(_HELPER_MODULE_PREFIXES):
        return f"helper module '{top}' is not in any --helpers directory"
    return f"missing Python package or helper module '{top}'"


def _is_under(path, directories) -> bool:
    return any(path == d or path.startswith(d + os.sep) for d in directories)


class RuleSet:
    """The loaded rules, helper directories and data models of one `load` request."""

    def __init__(self):
        self.rules = []
        self.helpers = []
        self.data_models = DataModelRegistry()
        self._module_names = []

    def unload(self, next_helpers) -> None:
        """Forget this set's rule modules and every module imported from old or new helper directories."""
        for name in self._module_names:
            sys.modules.pop(name, None)
        self._module_names = []
        directories = [os.path.abspath(d) for d in list(self.helpers) + list(next_helpers)]
        if directories:
            for name, module in list(sys.modules.items()):
                filename = getattr(module, "__file__", None)
                if not isinstance(filename, str):
                    continue
                filename = os.path.abspath(filename)
                if _is_under(filename, directories) and not _is_under(filename, [_ENGINE_DIR]):
                    sys.modules.pop(name, None)
        for directory in self.helpers:
            while directory in sys.path:
                sys.path.remove(directory)
        self.rules = []
        self.data_models = DataModelRegistry()

    def load(self, request: dict, capture) -> dict:
        """Handle a `load` request: helpers on sys.path, data models, then each rule."""
        helpers = [os.path.abspath(str(d)) for d in request.get("helpers") or []]
        self.unload(helpers)
        for directory in reversed(helpers):
            sys.path.insert(0, directory)
        self.helpers = helpers
        importlib.invalidate_caches()

        taken = set(sys.modules)
        model_results = [
            self._load_data_model(spec, taken) for spec in request.get("data_models") or []
        ]
        summaries = []
        for index, spec in enumerate(request.get("rules") or []):
            capture.key = ("load", index)
            try:
                rule = self._load_rule(spec, taken)
            finally:
                capture.key = None
            self.rules.append(rule)
            summary = rule.summary()
            output = capture.take(("load", index))
            if output:
                summary["output"] = output
            summaries.append(summary)
        response = {"ok": True, "rules": summaries}
        if model_results:
            response["data_models"] = model_results
        return response

    def _load_rule(self, spec: dict, taken: set) -> LoadedRule:
        rule = LoadedRule(spec)
        if not rule.path:
            rule.error = f'Rule "{rule.id}" has no Python file path'
            return rule
        # Community packs load a rule's module under its RuleID; fall back to a prefixed name
        # only when that would shadow a module already imported.
        if rule.id and rule.id not in taken:
            name = rule.id
            taken.add(name)
        else:
            name = module_name(_RULE_MODULE_PREFIX, rule.id or os.path.basename(rule.path), taken)
        try:
            module = import_file(name, rule.path)
        except (Exception, SystemExit) as exc:  # pylint: disable=broad-except
            rule.error = describe_import_error(exc, rule.path)
            rule.traceback = format_location(exception_location(exc, rule.path))
            return rule
        self._module_names.append(name)
        rule.module = module
        candidate = getattr(module, "rule", None)
        if not callable(candidate):
            rule.error = f'No callable rule(event) function in "{os.path.basename(rule.path)}"'
            return rule
        rule.rule = candidate
        rule.functions = {
            fn: getattr(module, fn) for fn in ALERT_FUNCTIONS if callable(getattr(module, fn, None))
        }
        rule.loaded = True
        try:
            with open(rule.path, encoding="utf-8") as source:
                rule.prefilter = static_prefilter(source.read())
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            rule.prefilter = NO_PREFILTER
        return rule

    def _load_data_model(self, spec: dict, taken: set) -> dict:
        log_types = [str(t) for t in spec.get("log_types") or []]
        errors = []
        module = None
        module_path = spec.get("module_path")
        if module_path:
            name = module_name(_DATA_MODEL_MODULE_PREFIX, "_".join(log_types), taken)
            try:
                module = import_file(name, os.path.abspath(module_path))
                self._module_names.append(name)
            except (Exception, SystemExit) as exc:  # pylint: disable=broad-except
                errors.append(describe_import_error(exc, os.path.abspath(module_path)))
        paths = {}
        methods = {}
        for mapping in spec.get("mappings") or []:
            name = mapping.get("name")
            if mapping.get("path"):
                try:
                    paths[name] = JsonPath(str(mapping["path"]))
                except ValueError as exc:
                    errors.append(str(exc))
            elif mapping.get("method"):
                method = getattr(module, str(mapping["method"]), None) if module else None
                if callable(method):
                    methods[name] = method
                elif module is not None or not module_path:
                    errors.append(f'Data model method "{mapping["method"]}" for "{name}" is not defined')
            else:
                errors.append(f'Data model mapping "{name}" has neither a path nor a method')
        self.data_models.add(log_types, DataModel(",".join(log_types), paths, methods))
        return {"log_types": log_types, "loaded": not errors, "error": "; ".join(errors) or None}
