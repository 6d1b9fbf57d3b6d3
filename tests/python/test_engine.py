"""engine.py over its framing protocol: ready, load, eval, alert fields, test, isolation."""

import json
import os
import signal
import sqlite3
import tempfile
import unittest

from _support import HELPERS_DIR, RULES_DIR, EngineClient, rule_spec

CLOUDTRAIL = "AWS.CloudTrail"


class EngineCase(unittest.TestCase):
    """Starts one engine per test class."""

    @classmethod
    def setUpClass(cls):
        cls.engine = EngineClient()

    @classmethod
    def tearDownClass(cls):
        cls.engine.close()


class ProtocolTest(EngineCase):
    def test_ready_message_comes_first(self):
        ready = self.engine.ready
        self.assertEqual(ready["type"], "ready")
        self.assertEqual(ready["pid"], self.engine.process.pid)
        self.assertRegex(ready["python"], r"^3\.\d+\.\d+")

    def test_ping(self):
        self.assertEqual(self.engine.request({"op": "ping"}), {"ok": True})

    def test_unknown_op_is_an_error_and_the_engine_keeps_serving(self):
        response = self.engine.request({"op": "frobnicate"})
        self.assertFalse(response["ok"])
        self.assertIn("frobnicate", response["error"])
        self.assertEqual(self.engine.request({"op": "ping"}), {"ok": True})

    def test_invalid_json_is_an_error_and_the_engine_keeps_serving(self):
        self.engine.send_bytes(b"{not json")
        response = self.engine.read_frame()
        self.assertFalse(response["ok"])
        self.assertIn("JSONDecodeError", response["error"])
        self.assertEqual(self.engine.request({"op": "ping"}), {"ok": True})

    def test_engine_error_while_handling_a_request_keeps_serving(self):
        self.engine.load([rule_spec("T.Bare", "bare_rule.py")])
        response = self.engine.request({"op": "eval", "events": [], "targets": [[0]]})
        self.assertFalse(response["ok"])
        self.assertIn("IndexError", response["error"])
        response = self.engine.request({"op": "test", "rule": 99, "tests": []})
        self.assertFalse(response["ok"])
        self.assertEqual(self.engine.request({"op": "ping"}), {"ok": True})

    def test_empty_request_list_in_eval(self):
        self.engine.load([rule_spec("T.Bare", "bare_rule.py")])
        response = self.engine.request({"op": "eval", "events": [], "targets": []})
        self.assertEqual(response, {"ok": True, "results": [], "output": []})


class ExitTest(unittest.TestCase):
    def test_exits_zero_on_end_of_input(self):
        engine = EngineClient()
        self.assertEqual(engine.request({"op": "ping"}), {"ok": True})
        self.assertEqual(engine.close(), 0)

    def test_keyboard_interrupt_does_not_stop_the_worker(self):
        engine = EngineClient()
        engine.process.send_signal(signal.SIGINT)
        self.assertEqual(engine.request({"op": "ping"}), {"ok": True})
        self.assertEqual(engine.close(), 0)

    def test_cwd_does_not_matter(self):
        with tempfile.TemporaryDirectory() as cwd:
            engine = EngineClient(cwd=cwd)
            response = engine.load([rule_spec("T.Good", "good_rule.py")], helpers=[HELPERS_DIR])
            self.assertTrue(response["rules"][0]["loaded"], response)
            self.assertEqual(engine.close(), 0)


class LoadTest(EngineCase):
    def test_good_rule_loads_with_functions_and_prefilter(self):
        response = self.engine.load([rule_spec("T.Good", "good_rule.py")], helpers=[HELPERS_DIR])
        self.assertTrue(response["ok"])
        (rule,) = response["rules"]
        self.assertEqual(rule["id"], "T.Good")
        self.assertTrue(rule["loaded"])
        self.assertIsNone(rule["error"])
        self.assertEqual(rule["functions"], ["rule", "title"])
        self.assertEqual(rule["prefilter"], {"eventName": ["ConsoleLogin"], "eventSource": None})

    def test_helper_module_missing_without_helpers_dir(self):
        response = self.engine.load([rule_spec("T.Good", "good_rule.py")])
        rule = response["rules"][0]
        self.assertFalse(rule["loaded"])
        self.assertIn("iota_test_helpers", rule["error"])

    def test_syntax_error_is_reported_and_other_rules_still_load(self):
        response = self.engine.load(
            [rule_spec("T.Syntax", "syntax_error.py"), rule_spec("T.Bare", "bare_rule.py")]
        )
        broken, bare = response["rules"]
        self.assertFalse(broken["loaded"])
        self.assertTrue(broken["error"].startswith("SyntaxError: "), broken["error"])
        self.assertIn("syntax_error.py:1", broken["error"])
        self.assertTrue(bare["loaded"])

    def test_missing_package_is_named(self):
        response = self.engine.load([rule_spec("T.Missing", "missing_package.py")])
        rule = response["rules"][0]
        self.assertFalse(rule["loaded"])
        self.assertEqual(
            rule["error"],
            "ModuleNotFoundError: No module named 'iota_missing_pkg' "
            "(missing Python package or helper module 'iota_missing_pkg')",
        )

    def test_missing_helper_module_points_at_helpers_dirs(self):
        rule = self.engine.load([rule_spec("T.MissingHelper", "missing_helper.py")])["rules"][0]
        self.assertFalse(rule["loaded"])
        self.assertIn(
            "helper module 'panther_iota_absent_helpers' is not in any --helpers directory",
            rule["error"],
        )

    def test_missing_package_hint_names_the_pypi_package(self):
        from iota_engine.loader import missing_module_hint  # pylint: disable=import-outside-toplevel

        self.assertEqual(
            missing_module_hint("dateutil.parser"),
            "missing Python package 'python-dateutil': install it with pip install python-dateutil",
        )
        self.assertIn("'PyJWT'", missing_module_hint("jwt"))
        self.assertIn("'PyYAML'", missing_module_hint("yaml"))

    def test_rule_module_is_named_after_its_rule_id(self):
        self.engine.load([rule_spec("Custom.Rule.Name", "module_name.py")])
        response = self.engine.request(
            {"op": "eval", "events": [{"eventName": "X"}], "targets": [[0]]}
        )
        self.assertEqual(response["results"][0]["match"]["title"], "Custom.Rule.Name")

    def test_module_without_rule_function(self):
        rule = self.engine.load([rule_spec("T.NoRule", "no_rule.py")])["rules"][0]
        self.assertFalse(rule["loaded"])
        self.assertIn("rule(event)", rule["error"])
        self.assertIn("no_rule.py", rule["error"])

    def test_exception_at_import_names_the_line(self):
        rule = self.engine.load([rule_spec("T.Raise", "raising_import.py")])["rules"][0]
        self.assertFalse(rule["loaded"])
        self.assertEqual(rule["error"], "KeyError: 'limit' (raising_import.py:2 in <module>)")

    def test_prints_at_import_are_returned_with_the_rule(self):
        rule = self.engine.load([rule_spec("T.ImportPrint", "import_print.py")])["rules"][0]
        self.assertTrue(rule["loaded"])
        self.assertEqual(rule["output"], "loading import_print\n")

    def test_missing_file(self):
        rule = self.engine.load([rule_spec("T.Gone", "does_not_exist.py")])["rules"][0]
        self.assertFalse(rule["loaded"])
        self.assertIn("FileNotFoundError", rule["error"])

    def test_reload_replaces_the_rule_set(self):
        self.engine.load([rule_spec("T.Bare", "bare_rule.py"), rule_spec("T.Quiet", "quiet_rule.py")])
        self.engine.load([rule_spec("T.Quiet", "quiet_rule.py")])
        response = self.engine.request(
            {"op": "eval", "events": [{"eventName": "Quiet"}], "targets": [[0]]}
        )
        self.assertEqual([r["r"] for r in response["results"]], [0])
        response = self.engine.request({"op": "eval", "events": [{"eventName": "Quiet"}], "targets": [[1]]})
        self.assertEqual(response["results"][0]["error"]["type"], "engine")

    def test_same_rule_id_twice_gets_two_modules(self):
        response = self.engine.load([rule_spec("T.Same", "bare_rule.py"), rule_spec("T.Same", "quiet_rule.py")])
        self.assertTrue(all(r["loaded"] for r in response["rules"]))
        response = self.engine.request(
            {"op": "eval", "events": [{"eventName": "Other"}], "targets": [[0, 1]]}
        )
        self.assertEqual([r["r"] for r in response["results"]], [0])


class EvalTest(EngineCase):
    def setUp(self):
        response = self.engine.load(
            [
                rule_spec("T.Good", "good_rule.py", severity="high"),
                rule_spec("T.Errors", "errors_rule.py"),
                rule_spec("T.Print", "printing_rule.py"),
                rule_spec("T.Syntax", "syntax_error.py"),
            ],
            helpers=[HELPERS_DIR],
        )
        self.assertTrue(response["ok"])

    def evaluate(self, events, targets):
        response = self.engine.request({"op": "eval", "events": events, "targets": targets})
        self.assertTrue(response["ok"], response)
        return response

    def test_match_and_non_match(self):
        login = {
            "eventName": "ConsoleLogin",
            "userIdentity": {"arn": "arn:aws:iam::111122223333:user/alice"},
            "responseElements": {"ConsoleLogin": "Success"},
        }
        failed = dict(login, responseElements={"ConsoleLogin": "Failure"})
        response = self.evaluate([login, failed, {"eventName": "GetObject"}], [[0], [0], [0]])
        self.assertEqual(len(response["results"]), 1)
        result = response["results"][0]
        self.assertEqual((result["e"], result["r"]), (0, 0))
        match = result["match"]
        self.assertEqual(match["title"], "Console login by arn:aws:iam::111122223333:user/alice")
        self.assertEqual(match["dedup"], match["title"])
        self.assertEqual(match["severity"], "High")
        self.assertNotIn("errors", result)

    def test_only_targeted_rules_run(self):
        response = self.evaluate([{"mode": "match"}, {"mode": "match"}], [[], [1]])
        self.assertEqual([(r["e"], r["r"]) for r in response["results"]], [(1, 1)])

    def test_exception_is_an_error_with_rule_traceback(self):
        response = self.evaluate([{"mode": "raise"}], [[1]])
        (result,) = response["results"]
        self.assertEqual(result["error"]["type"], "KeyError")
        self.assertEqual(result["error"]["message"], "'noSuchField'")
        self.assertEqual(
            result["error"]["traceback"], 'errors_rule.py:7 in rule: return event["noSuchField"]'
        )

    def test_non_bool_return_is_bad_return(self):
        response = self.evaluate([{"mode": "str"}, {"mode": "int"}, {"mode": "none"}], [[1], [1], [1]])
        errors = [r["error"] for r in response["results"]]
        self.assertEqual([e["type"] for e in errors], ["bad_return"] * 3)
        self.assertIn("str", errors[0]["message"])
        self.assertIn("int", errors[1]["message"])
        self.assertIn("NoneType", errors[2]["message"])

    def test_system_exit_in_rule_is_an_error(self):
        response = self.evaluate([{"mode": "exit"}], [[1]])
        self.assertEqual(response["results"][0]["error"]["type"], "SystemExit")
        self.assertEqual(self.engine.request({"op": "ping"}), {"ok": True})

    def test_rule_that_did_not_load_reports_import_error(self):
        response = self.evaluate([{}], [[3]])
        self.assertEqual(response["results"][0]["error"]["type"], "import")

    def test_non_object_event_is_an_error(self):
        response = self.evaluate(["not an event"], [[1]])
        self.assertEqual(response["results"][0]["error"]["type"], "bad_event")

    def test_prints_are_captured_per_rule_and_frames_stay_intact(self):
        response = self.evaluate([{"n": 1, "mode": "match"}, {"n": 2}], [[2, 1], [2]])
        self.assertEqual([(r["e"], r["r"]) for r in response["results"]], [(0, 1)])
        (output,) = response["output"]
        self.assertEqual(output["r"], 2)
        self.assertEqual(
            output["text"],
            "print from rule 1\nstdout write\nstderr write\n"
            "print from rule 2\nstdout write\nstderr write\n",
        )
        self.assertEqual(self.engine.request({"op": "ping"}), {"ok": True})

    def test_captured_output_is_capped(self):
        response = self.evaluate([{"big": True}], [[2]])
        text = response["output"][0]["text"]
        self.assertTrue(text.endswith("…[truncated]"))
        self.assertLessEqual(len(text.encode("utf-8")), 4096 + len("…[truncated]".encode("utf-8")))
        again = self.evaluate([{"n": 3}], [[2]])
        self.assertNotIn("truncated", again["output"][0]["text"])


class FdWriteTest(unittest.TestCase):
    def test_writes_to_fd_1_go_to_stderr(self):
        engine = EngineClient()
        engine.load([rule_spec("T.Print", "printing_rule.py")])
        response = engine.request({"op": "eval", "events": [{"n": 1}], "targets": [[0]]})
        self.assertTrue(response["ok"])
        self.assertEqual(engine.request({"op": "ping"}), {"ok": True})
        self.assertEqual(engine.close(), 0)
        self.assertIn("fd1 write", engine.stderr_output)


class AlertFieldsTest(EngineCase):
    def setUp(self):
        self.engine.load(
            [
                rule_spec("T.Matrix", "alert_matrix.py", severity="Low"),
                rule_spec("T.TitleOnly", "title_only.py"),
                rule_spec("T.Bare", "bare_rule.py", severity="info"),
            ]
        )

    def run_rule(self, event, index=0):
        response = self.engine.request({"op": "eval", "events": [event], "targets": [[index]]})
        self.assertTrue(response["ok"], response)
        (result,) = response["results"]
        return result["match"], result.get("errors", [])

    def error_types(self, errors):
        return [e["type"] for e in errors]

    def test_plain_fields(self):
        match, errors = self.run_rule({"n": 1, "desc": "Something happened", "nested": {"a": [1, {"b": 2}]}})
        self.assertEqual(errors, [])
        self.assertEqual(match["title"], "Title 1")
        self.assertEqual(match["dedup"], "dedup-1")
        self.assertEqual(match["severity"], "Low")
        self.assertEqual(match["description"], "Something happened")
        self.assertIsNone(match["reference"])
        self.assertEqual(match["runbook"], "Check the user.")
        self.assertIsNone(match["destinations"])
        context = match["context"]
        self.assertEqual(context["n"], 1)
        self.assertEqual(context["tags"], ["a", "b"])
        self.assertEqual(context["nested"], {"a": [1, {"b": 2}]})
        self.assertEqual(context["nan"], "nan")
        self.assertEqual(context["('tuple', 'key')"], 1)

    def test_title_and_dedup_are_cut_to_1000_chars(self):
        match, _ = self.run_rule({"title": "long", "dedup": "long"})
        self.assertEqual(match["title"], "t" * 1000)
        self.assertEqual(match["dedup"], "d" * 1000)

    def test_title_is_converted_to_str(self):
        match, _ = self.run_rule({"title": "number", "dedup": "empty"})
        self.assertEqual(match["title"], "42")
        self.assertEqual(match["dedup"], "42")

    def test_empty_dedup_falls_back_to_title(self):
        match, _ = self.run_rule({"n": 5, "dedup": "empty"})
        self.assertEqual(match["dedup"], "Title 5")

    def test_raising_dedup_falls_back_to_title(self):
        match, errors = self.run_rule({"n": 6, "dedup": "raise"})
        self.assertEqual(match["dedup"], "Title 6")
        self.assertEqual(self.error_types(errors), ["dedup:ValueError"])
        self.assertEqual(errors[0]["message"], "no dedup")
        self.assertIn("alert_matrix.py:", errors[0]["traceback"])
        self.assertIn("in dedup", errors[0]["traceback"])

    def test_empty_title_and_dedup_fall_back_to_default(self):
        match, _ = self.run_rule({"title": "empty", "dedup": "empty"})
        self.assertIsNone(match["title"])
        self.assertEqual(match["dedup"], "defaultDedupString:T.Matrix")

    def test_raising_title_is_an_error_and_match_still_counts(self):
        match, errors = self.run_rule({"title": "raise", "dedup": "empty"})
        self.assertIsNone(match["title"])
        self.assertEqual(match["dedup"], "defaultDedupString:T.Matrix")
        self.assertEqual(self.error_types(errors), ["title:KeyError"])
        self.assertEqual(errors[0]["traceback"], 'alert_matrix.py:11 in title: return event["missingTitleField"]')

    def test_dedup_falls_back_to_title_function(self):
        match, _ = self.run_rule({}, index=1)
        self.assertEqual(match["title"], "Only a title")
        self.assertEqual(match["dedup"], "Only a title")

    def test_no_functions_gives_default_dedup_and_null_title(self):
        match, errors = self.run_rule({}, index=2)
        self.assertEqual(errors, [])
        self.assertEqual(
            match,
            {
                "title": None,
                "dedup": "defaultDedupString:T.Bare",
                "severity": "Info",
                "context": None,
                "description": None,
                "reference": None,
                "runbook": None,
                "destinations": None,
            },
        )

    def test_severity_is_case_insensitive(self):
        self.assertEqual(self.run_rule({"sev": "critical"})[0]["severity"], "Critical")
        self.assertEqual(self.run_rule({"sev": "MEDIUM"})[0]["severity"], "Medium")

    def test_default_severity_means_yaml_severity(self):
        for value in ("DEFAULT", "default", "Default", None):
            match, errors = self.run_rule({"sev": value})
            self.assertEqual(match["severity"], "Low", value)
            self.assertEqual(errors, [])

    def test_unknown_severity_is_an_error_and_uses_yaml_severity(self):
        match, errors = self.run_rule({"sev": "Urgent"})
        self.assertEqual(match["severity"], "Low")
        self.assertEqual(self.error_types(errors), ["severity:bad_return"])
        self.assertIn("Urgent", errors[0]["message"])

    def test_raising_severity_uses_yaml_severity(self):
        match, errors = self.run_rule({"sev": "raise"})
        self.assertEqual(match["severity"], "Low")
        self.assertEqual(self.error_types(errors), ["severity:RuntimeError"])

    def test_context_must_be_a_mapping(self):
        match, errors = self.run_rule({"ctx": "list"})
        self.assertEqual(match["context"], {"_error": "alert_context must return a mapping, got list"})
        self.assertEqual(self.error_types(errors), ["alert_context:bad_return"])

    def test_context_none_is_null(self):
        match, errors = self.run_rule({"ctx": "none"})
        self.assertIsNone(match["context"])
        self.assertEqual(errors, [])

    def test_context_over_200_kib_is_replaced(self):
        match, errors = self.run_rule({"ctx": "big"})
        self.assertEqual(match["context"], {"_error": "alert_context exceeds 200 KiB"})
        self.assertEqual(self.error_types(errors), ["alert_context:too_large"])

    def test_raising_context_becomes_error_object(self):
        match, errors = self.run_rule({"ctx": "raise"})
        self.assertEqual(match["context"], {"_error": "alert_context raised KeyError: 'ctxkey'"})
        self.assertEqual(self.error_types(errors), ["alert_context:KeyError"])

    def test_destinations(self):
        self.assertEqual(self.run_rule({"dest": "string"})[0]["destinations"], ["slack"])
        self.assertEqual(self.run_rule({"dest": "list"})[0]["destinations"], ["slack", "pagerduty"])
        self.assertIsNone(self.run_rule({"dest": "none"})[0]["destinations"])
        match, errors = self.run_rule({"dest": "bad"})
        self.assertIsNone(match["destinations"])
        self.assertEqual(self.error_types(errors), ["destinations:bad_return"])

    def test_optional_text_functions(self):
        match, errors = self.run_rule({"desc": "", "ref": "https://example.com/runbook"})
        self.assertIsNone(match["description"])
        self.assertEqual(match["reference"], "https://example.com/runbook")
        self.assertEqual(errors, [])
        match, errors = self.run_rule({"desc": 12})
        self.assertIsNone(match["description"])
        self.assertEqual(self.error_types(errors), ["description:bad_return"])


class TestOpTest(EngineCase):
    def setUp(self):
        self.engine.load(
            [
                rule_spec("T.Mocked", "mocked_rule.py"),
                rule_spec("T.Syntax", "syntax_error.py"),
                rule_spec("T.Errors", "errors_rule.py"),
            ]
        )

    def run_tests(self, tests, rule=0):
        response = self.engine.request({"op": "test", "rule": rule, "tests": tests})
        self.assertTrue(response["ok"], response)
        return response["results"]

    def test_pass_and_fail(self):
        results = self.run_tests(
            [
                {"name": "root", "expected": True, "log": {"user": "root"}, "mocks": [], "log_type": CLOUDTRAIL},
                {"name": "alice", "expected": False, "log": {"user": "alice"}, "mocks": []},
                {"name": "wrong", "expected": True, "log": {"user": "bob"}, "mocks": []},
            ]
        )
        root, alice, wrong = results
        self.assertTrue(root["passed"], root)
        self.assertTrue(root["matched"])
        self.assertIsNone(root["reason"])
        self.assertEqual(root["alert"]["title"], "Admin root")
        self.assertEqual(root["alert"]["context"], {"user": "root", "admin": True})
        self.assertEqual(root["output"], "count 1\n")
        self.assertTrue(alice["passed"])
        self.assertIsNone(alice["alert"])
        self.assertFalse(wrong["passed"])
        self.assertEqual(wrong["reason"], "expected true, rule returned false")

    def test_each_test_gets_fresh_state(self):
        tests = [{"name": f"run {i}", "expected": True, "log": {"user": "root"}, "mocks": []} for i in range(3)]
        self.assertTrue(all(r["passed"] for r in self.run_tests(tests)))

    def test_mocks_replace_module_names_and_are_restored(self):
        results = self.run_tests(
            [
                {
                    "name": "mocked admin",
                    "expected": True,
                    "log": {"user": "bob"},
                    "mocks": [{"objectName": "is_admin", "returnValue": True}],
                },
                {"name": "unmocked", "expected": False, "log": {"user": "bob"}, "mocks": []},
            ]
        )
        self.assertTrue(results[0]["passed"], results[0])
        self.assertEqual(results[0]["alert"]["context"], {"user": "bob", "admin": True})
        self.assertTrue(results[1]["passed"], results[1])

    def test_mock_values_are_used_as_given(self):
        results = self.run_tests(
            [
                {
                    "name": "string true",
                    "expected": True,
                    "log": {"user": "bob"},
                    "mocks": [{"objectName": "is_admin", "returnValue": "false"}],
                }
            ]
        )
        self.assertTrue(results[0]["passed"], results[0])

    def test_missing_mock_target_fails_the_test(self):
        (result,) = self.run_tests(
            [
                {
                    "name": "bad mock",
                    "expected": True,
                    "log": {"user": "root"},
                    "mocks": [{"objectName": "not_there", "returnValue": 1}],
                }
            ]
        )
        self.assertFalse(result["passed"])
        self.assertEqual(result["reason"], "mock target 'not_there' not found in rule module")

    def test_alert_function_failure_fails_a_true_test(self):
        (result,) = self.run_tests(
            [{"name": "title breaks", "expected": True, "log": {"user": "root", "breakTitle": True}, "mocks": []}]
        )
        self.assertFalse(result["passed"])
        self.assertTrue(result["matched"])
        self.assertEqual(
            result["reason"], "title raised KeyError: 'noSuchField' "
            "(mocked_rule.py:18 in title: return event[\"noSuchField\"])"
        )

    def test_rule_exception_fails_the_test(self):
        (result,) = self.run_tests(
            [{"name": "raises", "expected": False, "log": {"mode": "raise"}, "mocks": []}], rule=2
        )
        self.assertFalse(result["passed"])
        self.assertIsNone(result["matched"])
        self.assertEqual(
            result["reason"],
            "rule raised KeyError: 'noSuchField' (errors_rule.py:7 in rule: return event[\"noSuchField\"])",
        )

    def test_bad_return_fails_the_test(self):
        (result,) = self.run_tests(
            [{"name": "string", "expected": True, "log": {"mode": "str"}, "mocks": []}], rule=2
        )
        self.assertFalse(result["passed"])
        self.assertEqual(result["reason"], "rule() must return a bool, got str")

    def test_without_expectation_a_clean_run_passes(self):
        (result,) = self.run_tests([{"name": "no expectation", "expected": None, "log": {"user": "bob"}}])
        self.assertTrue(result["passed"], result)
        self.assertFalse(result["matched"])

    def test_rule_that_did_not_load_fails_every_test(self):
        (result,) = self.run_tests([{"name": "any", "expected": True, "log": {}, "mocks": []}], rule=1)
        self.assertFalse(result["passed"])
        self.assertTrue(result["reason"].startswith("rule failed to load: SyntaxError"))


class StateTest(unittest.TestCase):
    def test_rule_state_is_shared_through_the_sqlite_file(self):
        with tempfile.TemporaryDirectory() as directory:
            db_path = os.path.join(directory, "iota.db")
            connection = sqlite3.connect(db_path)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.close()
            first, second = EngineClient(cwd=directory), EngineClient(cwd=directory)
            try:
                for engine in (first, second):
                    engine.load([rule_spec("T.State", "state_rule.py")], state_path=db_path)
                event = {"user": "alice"}
                one = first.request({"op": "eval", "events": [event], "targets": [[0]]})
                self.assertEqual(one["results"], [])
                two = second.request({"op": "eval", "events": [event], "targets": [[0]]})
                self.assertEqual(two["results"][0]["match"]["context"], {"count": 2})
            finally:
                first.close()
                second.close()
            connection = sqlite3.connect(db_path)
            rows = connection.execute("SELECT key, kind, value FROM rule_state").fetchall()
            connection.close()
            self.assertEqual(rows, [("seen:alice", "counter", "2")])

    def test_test_op_does_not_touch_the_state_file(self):
        with tempfile.TemporaryDirectory() as directory:
            db_path = os.path.join(directory, "iota.db")
            engine = EngineClient(cwd=directory)
            try:
                engine.load([rule_spec("T.State", "state_rule.py")], state_path=db_path)
                response = engine.request(
                    {"op": "test", "rule": 0, "tests": [{"name": "x", "expected": False, "log": {"user": "a"}}]}
                )
                self.assertTrue(response["results"][0]["passed"])
                engine.request({"op": "eval", "events": [{"user": "b"}], "targets": [[0]]})
            finally:
                engine.close()
            connection = sqlite3.connect(db_path)
            keys = [row[0] for row in connection.execute("SELECT key FROM rule_state")]
            connection.close()
            self.assertEqual(keys, ["seen:b"])


class DataModelTest(EngineCase):
    def test_udm_paths_and_methods(self):
        response = self.engine.load(
            [rule_spec("T.Udm", "udm_rule.py")],
            data_models=[
                {
                    "log_types": [CLOUDTRAIL],
                    "mappings": [
                        {"name": "source_ip", "path": "sourceIPAddress"},
                        {"name": "actor_user", "path": "$.userIdentity.userName"},
                        {"name": "region_upper", "method": "get_region_upper"},
                    ],
                    "module_path": os.path.join(RULES_DIR, "datamodel", "cloudtrail_dm.py"),
                }
            ],
        )
        self.assertEqual(response["data_models"], [{"log_types": [CLOUDTRAIL], "loaded": True, "error": None}])
        event = {
            "p_log_type": CLOUDTRAIL,
            "eventName": "CreateUser",
            "sourceIPAddress": "192.0.2.10",
            "awsRegion": "eu-west-1",
            "userIdentity": {"userName": "alice"},
        }
        other = dict(event, p_log_type="Other.Log")
        response = self.engine.request({"op": "eval", "events": [event, other], "targets": [[0], [0]]})
        self.assertEqual([r["e"] for r in response["results"]], [0])
        self.assertEqual(
            response["results"][0]["match"]["context"],
            {
                "source_ip": "192.0.2.10",
                "actor": "alice",
                "region_upper": "EU-WEST-1",
                "unmapped": "CreateUser",
                "missing": "dflt",
            },
        )

    def test_test_op_uses_the_test_log_type_for_udm(self):
        self.engine.load(
            [rule_spec("T.Udm", "udm_rule.py")],
            data_models=[{"log_types": [CLOUDTRAIL], "mappings": [{"name": "source_ip", "path": "sourceIPAddress"}]}],
        )
        (result,) = self.engine.request(
            {
                "op": "test",
                "rule": 0,
                "tests": [
                    {"name": "ip", "expected": True, "log": {"sourceIPAddress": "192.0.2.1"}, "log_type": CLOUDTRAIL}
                ],
            }
        )["results"]
        self.assertTrue(result["passed"], result)

    def test_bad_data_model_method_is_reported(self):
        response = self.engine.load(
            [rule_spec("T.Bare", "bare_rule.py")],
            data_models=[
                {
                    "log_types": [CLOUDTRAIL],
                    "mappings": [{"name": "x", "method": "no_such_method"}],
                    "module_path": os.path.join(RULES_DIR, "datamodel", "cloudtrail_dm.py"),
                }
            ],
        )
        (model,) = response["data_models"]
        self.assertFalse(model["loaded"])
        self.assertIn("no_such_method", model["error"])


class PrefilterLoadTest(EngineCase):
    def test_load_reports_sorted_prefilter_values(self):
        response = self.engine.load(
            [rule_spec("T.Pre", "prefiltered_rule.py"), rule_spec("T.Bare", "bare_rule.py")]
        )
        pre, bare = response["rules"]
        self.assertEqual(
            pre["prefilter"],
            {"eventName": ["DeleteBucket", "DeleteBucketPolicy"], "eventSource": ["s3.amazonaws.com"]},
        )
        self.assertEqual(bare["prefilter"], {"eventName": None, "eventSource": None})

    def test_prefiltered_and_full_evaluation_agree(self):
        self.engine.load([rule_spec("T.Pre", "prefiltered_rule.py")])
        events = [
            {"eventSource": source, "eventName": name, **extra}
            for source in ("s3.amazonaws.com", "iam.amazonaws.com")
            for name in ("DeleteBucket", "DeleteBucketPolicy", "PutObject")
            for extra in ({}, {"errorCode": "AccessDenied"})
        ]
        prefilter = {"eventName": {"DeleteBucket", "DeleteBucketPolicy"}, "eventSource": {"s3.amazonaws.com"}}
        full = self.engine.request({"op": "eval", "events": events, "targets": [[0]] * len(events)})
        filtered_targets = [
            [0]
            if e["eventName"] in prefilter["eventName"] and e["eventSource"] in prefilter["eventSource"]
            else []
            for e in events
        ]
        filtered = self.engine.request({"op": "eval", "events": events, "targets": filtered_targets})
        self.assertEqual(json.dumps(full["results"]), json.dumps(filtered["results"]))
        self.assertEqual(len(full["results"]), 2)


if __name__ == "__main__":
    unittest.main()
