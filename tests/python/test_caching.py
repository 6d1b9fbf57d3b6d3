"""panther_detection_helpers.caching over the SQLite state store."""

import os
import sqlite3
import tempfile
import time
import unittest
from unittest import mock

import _support  # noqa: F401  (puts the engine directory on sys.path)
from iota_engine.state import StateStore, use_store
from panther_detection_helpers import caching


class CachingCase(unittest.TestCase):
    def setUp(self):
        self.store = StateStore(":memory:")
        self.previous = use_store(self.store)

    def tearDown(self):
        use_store(self.previous)
        self.store.close()

    def expiry_of(self, key):
        row = self.store._connection().execute(  # pylint: disable=protected-access
            "SELECT expires_at FROM rule_state WHERE key = ?", (key,)
        ).fetchone()
        return row[0] if row else None


class StringSetTest(CachingCase):
    def test_missing_set_is_empty(self):
        self.assertEqual(caching.get_string_set("nope"), set())
        self.assertEqual(caching.get_string_set("nope", force_ttl_check=True), set())

    def test_put_and_get(self):
        caching.put_string_set("k", ["a", "b", "a"])
        self.assertEqual(caching.get_string_set("k"), {"a", "b"})
        caching.put_string_set("k", {"c"})
        self.assertEqual(caching.get_string_set("k"), {"c"})

    def test_add_single_string_and_collections(self):
        self.assertEqual(caching.add_to_string_set("k", "a"), {"a"})
        self.assertEqual(caching.add_to_string_set("k", ["b", "c"]), {"a", "b", "c"})
        self.assertEqual(caching.add_to_string_set("k", ("c",)), {"a", "b", "c"})
        self.assertEqual(caching.get_string_set("k"), {"a", "b", "c"})

    def test_remove(self):
        caching.put_string_set("k", ["a", "b", "c"])
        self.assertEqual(caching.remove_from_string_set("k", "a"), {"b", "c"})
        self.assertEqual(caching.remove_from_string_set("k", ["b", "zzz"]), {"c"})
        self.assertEqual(caching.remove_from_string_set("k", "c"), set())
        self.assertEqual(caching.get_string_set("k"), set())

    def test_reset(self):
        caching.put_string_set("k", ["a"])
        caching.reset_string_set("k")
        self.assertEqual(caching.get_string_set("k"), set())

    def test_keyword_arguments(self):
        caching.put_string_set(key="k", val=["a"], epoch_seconds=60)
        self.assertEqual(caching.add_to_string_set(key="k", val="b"), {"a", "b"})
        self.assertEqual(caching.get_string_set(key="k", force_ttl_check=True), {"a", "b"})


class CounterTest(CachingCase):
    def test_increment_get_reset(self):
        self.assertEqual(caching.get_counter("c"), 0)
        self.assertEqual(caching.increment_counter("c"), 1)
        self.assertEqual(caching.increment_counter("c", 5), 6)
        self.assertEqual(caching.increment_counter("c", val=-2), 4)
        self.assertEqual(caching.get_counter("c"), 4)
        caching.reset_counter("c")
        self.assertEqual(caching.get_counter("c"), 0)
        self.assertEqual(caching.increment_counter("c"), 1)

    def test_kinds_do_not_mix(self):
        caching.put_string_set("k", ["a"])
        self.assertEqual(caching.get_counter("k"), 0)
        self.assertEqual(caching.get_dictionary("k"), {})
        caching.reset_counter("k")
        self.assertEqual(caching.get_string_set("k"), {"a"})


class DictionaryTest(CachingCase):
    def test_put_and_get(self):
        caching.put_dictionary("d", {"a": 1, "nested": {"b": [1, 2]}})
        self.assertEqual(caching.get_dictionary("d"), {"a": 1, "nested": {"b": [1, 2]}})
        self.assertEqual(caching.get_dictionary("missing"), {})

    def test_rejects_non_mappings_and_non_json(self):
        with self.assertRaises(TypeError):
            caching.put_dictionary("d", ["not", "a", "dict"])
        with self.assertRaises(ValueError):
            caching.put_dictionary("d", {"s": {1, 2}})

    def test_accepts_event_views(self):
        from panther_core import PantherEvent  # pylint: disable=import-outside-toplevel

        event = PantherEvent({"userIdentity": {"arn": "x"}})
        caching.put_dictionary("d", event["userIdentity"])
        self.assertEqual(caching.get_dictionary("d"), {"arn": "x"})


class ExpiryTest(CachingCase):
    def test_relative_expiry(self):
        before = time.time()
        caching.put_string_set("k", ["a"], epoch_seconds=3600)
        self.assertAlmostEqual(self.expiry_of("k"), before + 3600, delta=5)

    def test_relative_expiry_up_to_a_week(self):
        before = time.time()
        caching.put_dictionary("d", {"a": 1}, epoch_seconds=7 * 86400)
        self.assertAlmostEqual(self.expiry_of("d"), before + 7 * 86400, delta=5)
        self.assertEqual(caching.get_dictionary("d"), {"a": 1})

    def test_a_week_or_more_is_an_epoch_time(self):
        # 30 days as epoch seconds is a moment in January 1970: the key is already expired.
        caching.put_dictionary("d", {"a": 1}, epoch_seconds=30 * 86400)
        self.assertEqual(self.expiry_of("d"), 30 * 86400)
        self.assertEqual(caching.get_dictionary("d"), {})
        caching.increment_counter("c", epoch_seconds=7 * 86400 + 1)
        self.assertEqual(caching.get_counter("c"), 0)

    def test_numeric_strings_count_and_garbage_means_no_expiry(self):
        before = time.time()
        caching.put_string_set("s", ["a"], epoch_seconds="3600")
        self.assertAlmostEqual(self.expiry_of("s"), before + 3600, delta=5)
        caching.put_string_set("g", ["a"], epoch_seconds="soon")
        self.assertAlmostEqual(self.expiry_of("g"), before + 90 * 86400, delta=5)
        self.assertEqual(caching.get_string_set("g"), {"a"})

    def test_absolute_expiry(self):
        absolute = time.time() + 7200
        caching.put_string_set("k", ["a"], epoch_seconds=absolute)
        self.assertAlmostEqual(self.expiry_of("k"), absolute, delta=0.01)
        caching.set_key_expiration("k", int(absolute) + 60)
        self.assertAlmostEqual(self.expiry_of("k"), int(absolute) + 60, delta=0.01)

    def test_expired_keys_read_as_empty(self):
        caching.put_string_set("s", ["a"])
        caching.increment_counter("c")
        caching.put_dictionary("d", {"a": 1})
        for key in ("s", "c", "d"):
            caching.set_key_expiration(key, time.time() - 10)
        self.assertEqual(caching.get_string_set("s"), set())
        self.assertEqual(caching.get_counter("c"), 0)
        self.assertEqual(caching.get_dictionary("d"), {})

    def test_increment_after_expiry_starts_over(self):
        caching.increment_counter("c", 5)
        caching.set_key_expiration("c", time.time() - 1)
        self.assertEqual(caching.increment_counter("c"), 1)

    def test_add_after_expiry_starts_over(self):
        caching.put_string_set("k", ["old"])
        caching.set_key_expiration("k", time.time() - 1)
        self.assertEqual(caching.add_to_string_set("k", "new"), {"new"})

    def test_expiry_passes_with_time(self):
        now = time.time()
        caching.put_string_set("k", ["a"], epoch_seconds=60)
        with mock.patch("time.time", return_value=now + 61):
            self.assertEqual(caching.get_string_set("k"), set())

    def test_writes_without_expiry_default_to_90_days_and_keep_existing(self):
        before = time.time()
        caching.add_to_string_set("k", "a")
        self.assertAlmostEqual(self.expiry_of("k"), before + 90 * 86400, delta=5)
        caching.set_key_expiration("k", 600)
        expiry = self.expiry_of("k")
        caching.add_to_string_set("k", "b")
        self.assertEqual(self.expiry_of("k"), expiry)
        caching.increment_counter("c", epoch_seconds=120)
        expiry = self.expiry_of("c")
        caching.increment_counter("c")
        self.assertEqual(self.expiry_of("c"), expiry)

    def test_every_writer_honours_a_relative_ttl(self):
        now = time.time()
        writes = {
            "put_string_set": lambda: caching.put_string_set("k1", ["a"], epoch_seconds=60),
            "add_to_string_set": lambda: caching.add_to_string_set("k2", "a", epoch_seconds=60),
            "remove_from_string_set": lambda: (
                caching.put_string_set("k3", ["a", "b"]),
                caching.remove_from_string_set("k3", "a", epoch_seconds=60),
            ),
            "increment_counter": lambda: caching.increment_counter("k4", 2, epoch_seconds=60),
            "put_dictionary": lambda: caching.put_dictionary("k5", {"a": 1}, epoch_seconds=60),
            "set_key_expiration": lambda: (
                caching.put_string_set("k6", ["a"]),
                caching.set_key_expiration("k6", 60),
            ),
        }
        readers = {
            "k1": (caching.get_string_set, {"a"}, set()),
            "k2": (caching.get_string_set, {"a"}, set()),
            "k3": (caching.get_string_set, {"b"}, set()),
            "k4": (caching.get_counter, 2, 0),
            "k5": (caching.get_dictionary, {"a": 1}, {}),
            "k6": (caching.get_string_set, {"a"}, set()),
        }
        with mock.patch("time.time", return_value=now):
            for write in writes.values():
                write()
        for key, (read, live, _) in readers.items():
            with mock.patch("time.time", return_value=now + 59):
                self.assertEqual(read(key), live, key)
        for key, (read, _, gone) in readers.items():
            with mock.patch("time.time", return_value=now + 61):
                self.assertEqual(read(key), gone, key)

    def test_ttl_expired(self):
        self.assertTrue(caching.ttl_expired({"Item": {"expiresAt": time.time() - 1}}))
        self.assertFalse(caching.ttl_expired({"Item": {"expiresAt": time.time() + 100}}))
        self.assertFalse(caching.ttl_expired({}))


class HelperTest(CachingCase):
    def test_evaluate_threshold(self):
        results = [caching.evaluate_threshold("t", threshold=3, expiry_seconds=60) for _ in range(7)]
        self.assertEqual(results, [False, False, True, False, False, True, False])
        self.assertEqual(caching.get_counter("t"), 1)

    def test_evaluate_threshold_expiry_is_relative(self):
        before = time.time()
        caching.evaluate_threshold("t", threshold=10, expiry_seconds=30 * 86400)
        self.assertAlmostEqual(self.expiry_of("t"), before + 30 * 86400, delta=5)

    def test_evaluate_threshold_window_expires(self):
        now = time.time()
        caching.evaluate_threshold("t", threshold=2, expiry_seconds=60)
        with mock.patch("time.time", return_value=now + 120):
            self.assertFalse(caching.evaluate_threshold("t", threshold=2, expiry_seconds=60))

    def test_check_account_age(self):
        self.assertFalse(caching.check_account_age("111122223333"))
        caching.put_string_set("111122223333", ["new"], epoch_seconds=3600)
        self.assertTrue(caching.check_account_age("111122223333"))
        caching.set_key_expiration("111122223333", time.time() - 1)
        self.assertFalse(caching.check_account_age("111122223333"))
        self.assertFalse(caching.check_account_age(""))
        self.assertFalse(caching.check_account_age(None))


class SharedFileTest(unittest.TestCase):
    def test_two_connections_share_one_file(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "iota.db")
            setup = sqlite3.connect(path)
            setup.execute("PRAGMA journal_mode=WAL")
            setup.close()
            first, second = StateStore(path), StateStore(path)
            previous = use_store(first)
            try:
                caching.add_to_string_set("users", "alice")
                caching.increment_counter("logins")
                use_store(second)
                self.assertEqual(caching.add_to_string_set("users", "bob"), {"alice", "bob"})
                self.assertEqual(caching.increment_counter("logins"), 2)
                use_store(first)
                self.assertEqual(caching.get_string_set("users"), {"alice", "bob"})
                self.assertEqual(caching.get_counter("logins"), 2)
                caching.put_dictionary("d", {"v": 1})
                use_store(second)
                self.assertEqual(caching.get_dictionary("d"), {"v": 1})
            finally:
                use_store(previous)
                first.close()
                second.close()
            check = sqlite3.connect(path)
            kinds = dict(check.execute("SELECT key, kind FROM rule_state").fetchall())
            check.close()
            self.assertEqual(kinds, {"users": "string_set", "logins": "counter", "d": "dictionary"})


if __name__ == "__main__":
    unittest.main()
