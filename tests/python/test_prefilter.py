"""Static prefilter: proven eventName/eventSource sets, and null for anything unproven."""

import contextlib
import io
import itertools
import textwrap
import unittest
import warnings

import _support  # noqa: F401  (puts the engine directory on sys.path)
from iota_engine.prefilter import static_prefilter
from panther_core import PantherEvent

NONE = {"eventName": None, "eventSource": None}


def names(*values):
    return {"eventName": sorted(values), "eventSource": None}


def prefilter(source):
    return static_prefilter(textwrap.dedent(source))


# Each case: (description, source, expected prefilter). Every rule here can
# match some event, so the soundness test below exercises them all.
CONSTRAINED = [
    (
        "guard with !=",
        """
        def rule(event):
            if event.get("eventName") != "ConsoleLogin":
                return False
            return True
        """,
        names("ConsoleLogin"),
    ),
    (
        "guard with not in a tuple",
        """
        def rule(event):
            if event.get("eventName") not in ("StopLogging", "DeleteTrail"):
                return False
            return event.get("errorCode") is None
        """,
        names("DeleteTrail", "StopLogging"),
    ),
    (
        "guard on eventSource",
        """
        def rule(event):
            if event.get("eventSource") != "s3.amazonaws.com":
                return False
            return True
        """,
        {"eventName": None, "eventSource": ["s3.amazonaws.com"]},
    ),
    (
        "return == and more",
        """
        def rule(event):
            return event.get("eventName") == "CreateUser" and event.get("errorCode") is None
        """,
        names("CreateUser"),
    ),
    (
        "return in a set literal and more",
        """
        def rule(event):
            return event.get("eventName") in {"PutBucketPolicy", "DeleteBucketPolicy"} and bool(event)
        """,
        names("DeleteBucketPolicy", "PutBucketPolicy"),
    ),
    (
        "subscript access",
        """
        def rule(event):
            if event["eventName"] != "GetSecretValue":
                return False
            return True
        """,
        names("GetSecretValue"),
    ),
    (
        "deep_get with one key",
        """
        def rule(event):
            return event.deep_get("eventName") == "AssumeRole"
        """,
        names("AssumeRole"),
    ),
    (
        "module-level frozenset constant",
        """
        NAMES = frozenset({"A", "B"})

        def rule(event):
            return event.get("eventName") in NAMES
        """,
        names("A", "B"),
    ),
    (
        "module-level set constant used only for membership",
        """
        NAMES = {"A", "B"}

        def rule(event):
            if event.get("eventName") not in NAMES:
                return False
            return event.get("eventName") in NAMES
        """,
        names("A", "B"),
    ),
    (
        "module-level list and tuple constants",
        """
        NAMES: list = ["A", "B", "C"]
        SOURCES = ("iam.amazonaws.com",)

        def rule(event):
            return event.get("eventSource") in SOURCES and event.get("eventName") in NAMES
        """,
        {"eventName": ["A", "B", "C"], "eventSource": ["iam.amazonaws.com"]},
    ),
    (
        "local alias then guard",
        """
        def rule(event):
            name = event.get("eventName")
            if name not in ("A", "B"):
                return False
            return True
        """,
        names("A", "B"),
    ),
    (
        "docstring, print, unrelated assignment; an excluded value is not representable",
        """
        def rule(event):
            '''Doc.'''
            print("checking")
            region = event.get("awsRegion", "").lower()
            if event.get("eventName") not in ("A", "B", "C"):
                return False
            if event.get("eventName") == "C":
                return False
            return region != "x"
        """,
        names("A", "B", "C"),
    ),
    (
        "elif chain of guards",
        """
        def rule(event):
            if event.get("eventSource") != "ec2.amazonaws.com":
                return False
            elif event.get("eventName") != "RunInstances":
                return None
            return True
        """,
        {"eventName": ["RunInstances"], "eventSource": ["ec2.amazonaws.com"]},
    ),
    (
        "guard with or means every part is false",
        """
        def rule(event):
            if event.get("eventSource") != "iam.amazonaws.com" or event.get("eventName") != "CreateUser":
                return
            return True
        """,
        {"eventName": ["CreateUser"], "eventSource": ["iam.amazonaws.com"]},
    ),
    (
        "not and reversed comparison",
        """
        def rule(event):
            if not "DeleteBucket" == event.get("eventName"):
                return False
            return True
        """,
        names("DeleteBucket"),
    ),
    (
        "get with a default outside the set",
        """
        def rule(event):
            return event.get("eventName", "") in ["A"] and event.deep_get("eventSource", default="none") == "s"
        """,
        {"eventName": ["A"], "eventSource": ["s"]},
    ),
    (
        "guard before an unknown statement still holds",
        """
        def rule(event):
            if event.get("eventName") != "A":
                return False
            for _ in range(2):
                pass
            return True
        """,
        names("A"),
    ),
    (
        "contradictory guards give an empty set",
        """
        def rule(event):
            if event.get("eventName") != "A":
                return False
            if event.get("eventName") != "B":
                return False
            return True
        """,
        names(),
    ),
]

UNCONSTRAINED = [
    (
        "or at the top of the return",
        """
        def rule(event):
            return event.get("eventName") == "A" or event.get("eventName") == "B"
        """,
    ),
    (
        "lower()",
        """
        def rule(event):
            return event.get("eventName").lower() == "consolelogin"
        """,
    ),
    (
        "startswith",
        """
        def rule(event):
            return event.get("eventName", "").startswith("Delete")
        """,
    ),
    (
        "alias through a call it does not understand",
        """
        def rule(event):
            name = event.get("eventName").lower()
            if name != "a":
                return False
            return True
        """,
    ),
    (
        "alias reassigned",
        """
        def rule(event):
            name = event.get("eventName")
            name = name.strip()
            if name != "A":
                return False
            return True
        """,
    ),
    (
        "substring test against a string constant",
        """
        def rule(event):
            return event.get("eventName") in "DeleteBucketPolicy"
        """,
    ),
    (
        "guard returning True",
        """
        def rule(event):
            if event.get("eventName") == "A":
                return True
            return event.get("eventName") == "B"
        """,
    ),
    (
        "default inside the set",
        """
        def rule(event):
            return event.get("eventName", "A") == "A"
        """,
    ),
    (
        "mutable constant changed elsewhere",
        """
        NAMES = {"A"}
        NAMES.add("B")

        def rule(event):
            return event.get("eventName") in NAMES
        """,
    ),
    (
        "constant bound twice",
        """
        NAMES = ("A",)
        NAMES = ("A", "B")

        def rule(event):
            return event.get("eventName") in NAMES
        """,
    ),
    (
        "constant rebound through global",
        """
        NAMES = ("A",)

        def widen():
            global NAMES
            NAMES = ("A", "B")

        def rule(event):
            return event.get("eventName") in NAMES
        """,
    ),
    (
        "star import after the constant",
        """
        NAMES = ("A",)
        from os.path import *

        def rule(event):
            return event.get("eventName") in NAMES
        """,
    ),
    (
        "constant shadowed by a local",
        """
        NAMES = ("A",)

        def rule(event):
            NAMES = ("A", "B")
            return event.get("eventName") in NAMES
        """,
    ),
    (
        "non-literal constant",
        """
        NAMES = tuple(n.title() for n in ("a", "b"))

        def rule(event):
            return event.get("eventName") in NAMES
        """,
    ),
    (
        "event rebound",
        """
        def rule(event):
            event = {"eventName": "A"}
            return event.get("eventName") == "A"
        """,
    ),
    (
        "walrus in a guard",
        """
        def rule(event):
            if (name := event.get("eventName")) != "A":
                return False
            return True
        """,
    ),
    (
        "global statement in rule",
        """
        def rule(event):
            global LAST
            LAST = event.get("eventName")
            return LAST == "A"
        """,
    ),
    (
        "rule decorated",
        """
        def wrap(fn):
            return fn

        @wrap
        def rule(event):
            return event.get("eventName") == "A"
        """,
    ),
    (
        "rule rebound after definition",
        """
        def rule(event):
            return event.get("eventName") == "A"

        def other(event):
            return True

        rule = other
        """,
    ),
    (
        "guard after an unknown statement",
        """
        def rule(event):
            for key in ("a",):
                pass
            if event.get("eventName") != "A":
                return False
            return True
        """,
    ),
    (
        "different key case",
        """
        def rule(event):
            return event.get("EventName") == "A"
        """,
    ),
    (
        "identity comparison",
        """
        def rule(event):
            return event.get("eventName") is "A"
        """,
    ),
    (
        "comparison with a parameter",
        """
        def rule(event, expected="A"):
            return event.get("eventName") == expected
        """,
    ),
    (
        "guard with else branch",
        """
        def rule(event):
            if event.get("eventName") != "A":
                return False
            else:
                print("x")
            return True
        """,
    ),
    (
        "negated and in a guard",
        """
        def rule(event):
            if event.get("eventName") != "A" and event.get("eventName") != "B":
                return False
            return True
        """,
    ),
    ("syntax error", "def rule(event)\n    return True\n"),
    ("no rule function", "def title(event):\n    return 'x'\n"),
    ("rule without parameters", "def rule():\n    return True\n"),
    ("nested deep_get path", "def rule(event):\n    return event.deep_get('eventName', 'x') == 'A'\n"),
]


class PrefilterShapesTest(unittest.TestCase):
    def test_constrained_shapes(self):
        for description, source, expected in CONSTRAINED:
            with self.subTest(description):
                self.assertEqual(prefilter(source), expected)

    def test_unconstrained_shapes(self):
        for description, source in UNCONSTRAINED:
            with self.subTest(description):
                self.assertEqual(prefilter(source), NONE)


class PrefilterSoundnessTest(unittest.TestCase):
    """A prefilter never excludes an event its rule matches."""

    NAMES = ["A", "B", "C", "ConsoleLogin", "StopLogging", "DeleteTrail", "CreateUser", "PutBucketPolicy",
             "DeleteBucketPolicy", "GetSecretValue", "AssumeRole", "RunInstances", "DeleteBucket", "Other", None]
    SOURCES = ["s3.amazonaws.com", "iam.amazonaws.com", "ec2.amazonaws.com", "s", None]

    def events(self):
        for name, source in itertools.product(self.NAMES, self.SOURCES):
            record = {"awsRegion": "us-east-1"}
            if name is not None:
                record["eventName"] = name
            if source is not None:
                record["eventSource"] = source
            yield record

    def test_every_match_passes_its_prefilter(self):
        for description, source, expected in CONSTRAINED + [(d, s, NONE) for d, s in UNCONSTRAINED]:
            with self.subTest(description):
                namespace = {}
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", SyntaxWarning)
                        code = compile(textwrap.dedent(source), description, "exec")
                    exec(code, namespace)  # pylint: disable=exec-used
                except SyntaxError:
                    continue
                rule = namespace.get("rule")
                if not callable(rule):
                    continue
                for record in self.events():
                    try:
                        with contextlib.redirect_stdout(io.StringIO()):
                            matched = rule(PantherEvent(record))
                    except Exception:  # pylint: disable=broad-except
                        continue
                    if matched is not True:
                        continue
                    for field, allowed in expected.items():
                        if allowed is not None:
                            self.assertIn(record.get(field), allowed, (description, record))


if __name__ == "__main__":
    unittest.main()
