"""The event wrapper rules receive: lookups, deep_get, deep_walk, udm, immutability, JSON."""

import copy
import json
import unittest

import _support  # noqa: F401  (puts the engine directory on sys.path)
from iota_engine.datamodel import DataModel, JsonPath
from panther_core import PantherEvent
from panther_core.enriched_event import PantherEvent as EnrichedPantherEvent
from panther_core.immutable import ImmutableCaseInsensitiveDict, ImmutableList, json_encoder

RECORD = {
    "eventName": "AuthorizeSecurityGroupIngress",
    "eventSource": "ec2.amazonaws.com",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "192.0.2.1",
    "errorCode": None,
    "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "userName": "alice"},
    "requestParameters": {
        "groupId": "sg-0123",
        "ipPermissions": {
            "items": [
                {"fromPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}, {"cidrIp": "10.0.0.0/8"}]}},
                {"fromPort": 443, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}},
                {"fromPort": 80, "ipRanges": {"items": []}},
            ]
        },
    },
    "resources": [{"ARN": "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123"}],
    "tags": ["a", ["b", ["c"]]],
    "p_event_time": "2026-11-20 10:04:59.000",
}


def event(data=None, model=None):
    return PantherEvent(copy.deepcopy(RECORD if data is None else data), model)


class LookupTest(unittest.TestCase):
    def test_panther_core_modules_export_the_same_class(self):
        self.assertIs(PantherEvent, EnrichedPantherEvent)
        self.assertTrue(issubclass(PantherEvent, ImmutableCaseInsensitiveDict))

    def test_exact_key_then_case_insensitive(self):
        evt = PantherEvent({"Name": "upper", "name": "lower", "Other": 1})
        self.assertEqual(evt.get("name"), "lower")
        self.assertEqual(evt.get("Name"), "upper")
        self.assertEqual(evt.get("other"), 1)
        self.assertEqual(evt["OTHER"], 1)
        self.assertIn("oThEr", evt)
        self.assertNotIn("missing", evt)
        self.assertEqual(evt.get("missing", "dflt"), "dflt")
        with self.assertRaises(KeyError):
            evt["missing"]  # pylint: disable=pointless-statement

    def test_present_none_is_returned_by_get(self):
        self.assertIsNone(event().get("errorCode", "dflt"))

    def test_nested_values_are_read_only_views(self):
        evt = event()
        identity = evt.get("useridentity")
        self.assertIsInstance(identity, ImmutableCaseInsensitiveDict)
        self.assertEqual(identity.get("ARN"), "arn:aws:iam::111122223333:user/alice")
        resources = evt["resources"]
        self.assertIsInstance(resources, ImmutableList)
        self.assertIsInstance(resources[0], ImmutableCaseInsensitiveDict)
        self.assertEqual(resources[0].get("arn"), "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123")
        self.assertTrue(all(isinstance(r, ImmutableCaseInsensitiveDict) for r in resources))
        self.assertIsInstance(resources[0:1], ImmutableList)
        self.assertEqual([type(v) for _, v in evt.get("userIdentity").items()], [str, str, str])
        self.assertIsInstance(list(evt.values())[5], ImmutableCaseInsensitiveDict)

    def test_compares_equal_to_plain_data(self):
        evt = event()
        self.assertEqual(evt, RECORD)
        self.assertEqual(evt["tags"], ["a", ["b", ["c"]]])
        self.assertIn("a", evt["tags"])
        self.assertEqual(evt["userIdentity"]["type"], "IAMUser")

    def test_mutation_raises_type_error(self):
        evt = event()
        attempts = [
            lambda: evt.__setitem__("x", 1),
            lambda: evt.__delitem__("eventName"),
            lambda: evt.update({"x": 1}),
            lambda: evt.pop("eventName"),
            lambda: evt.popitem(),
            lambda: evt.clear(),
            lambda: evt.setdefault("x", 1),
            lambda: evt["userIdentity"].__setitem__("type", "Root"),
            lambda: evt["resources"].append({}),
            lambda: evt["resources"].__setitem__(0, {}),
            lambda: evt["resources"].sort(),
            lambda: evt["resources"].pop(),
            lambda: evt["resources"].extend([1]),
        ]
        for attempt in attempts:
            with self.assertRaises(TypeError):
                attempt()
        with self.assertRaises(TypeError):
            evt["tags"] += ["d"]
        self.assertEqual(evt, RECORD)

    def test_dict_copies_keep_nested_values_read_only(self):
        evt = event()
        for shallow in (dict(evt), {**evt}):
            with self.assertRaises(TypeError):
                shallow["userIdentity"]["type"] = "Root"
            with self.assertRaises(TypeError):
                shallow["resources"].append({})
        for item in list(evt["resources"]):
            with self.assertRaises(TypeError):
                item["ARN"] = "x"

    def test_to_dict_and_copies_are_plain_and_mutable(self):
        evt = event()
        for plain in (evt.to_dict(), copy.deepcopy(evt), copy.copy(evt), evt.copy()):
            self.assertIs(type(plain), dict)
            self.assertIs(type(plain["userIdentity"]), dict)
            self.assertIs(type(plain["resources"]), list)
            self.assertEqual(plain, RECORD)
            plain["userIdentity"]["type"] = "Root"
        self.assertEqual(evt["userIdentity"]["type"], "IAMUser")

    def test_json_dumps_works(self):
        evt = event()
        self.assertEqual(json.loads(json.dumps(evt)), RECORD)
        self.assertEqual(json.loads(json.dumps(evt, default=str)), RECORD)
        self.assertEqual(json.loads(json.dumps(evt, indent=2, sort_keys=True)), RECORD)
        self.assertEqual(json.loads(json.dumps({"e": evt["resources"], "u": evt["userIdentity"]})),
                         {"e": RECORD["resources"], "u": RECORD["userIdentity"]})
        self.assertEqual(json.loads(json.dumps(evt, default=json_encoder)), RECORD)
        self.assertEqual(json.loads(json.dumps(evt, default=PantherEvent.json_encoder)), RECORD)

    def test_dict_and_list_isinstance(self):
        evt = event()
        self.assertIsInstance(evt, dict)
        self.assertIsInstance(evt["resources"], list)


class DeepGetTest(unittest.TestCase):
    def test_walks_nested_mappings(self):
        evt = event()
        self.assertEqual(evt.deep_get("userIdentity", "userName"), "alice")
        self.assertEqual(evt.deep_get("USERIDENTITY", "username"), "alice")
        self.assertEqual(evt.deep_get("requestParameters", "groupId"), "sg-0123")

    def test_missing_or_non_mapping_gives_default(self):
        evt = event()
        self.assertIsNone(evt.deep_get("userIdentity", "nope"))
        self.assertEqual(evt.deep_get("userIdentity", "nope", default="x"), "x")
        self.assertEqual(evt.deep_get("eventName", "deeper", default="x"), "x")
        self.assertEqual(evt.deep_get("resources", "ARN", default="x"), "x")

    def test_present_none_gives_default(self):
        self.assertEqual(event().deep_get("errorCode", default="none"), "none")

    def test_returns_read_only_views(self):
        self.assertIsInstance(event().deep_get("requestParameters", "ipPermissions"), ImmutableCaseInsensitiveDict)


class DeepWalkTest(unittest.TestCase):
    def test_descends_through_lists(self):
        evt = event()
        self.assertEqual(
            evt.deep_walk("requestParameters", "ipPermissions", "items", "fromPort"), [22, 443, 80]
        )

    def test_collects_flattened_unique_leaves(self):
        cidrs = event().deep_walk("requestParameters", "ipPermissions", "items", "ipRanges", "items", "cidrIp")
        self.assertEqual(cidrs, ["0.0.0.0/0", "10.0.0.0/8"])
        self.assertIsInstance(cidrs, ImmutableList)

    def test_first_and_last(self):
        evt = event()
        path = ("requestParameters", "ipPermissions", "items", "fromPort")
        self.assertEqual(evt.deep_walk(*path, return_val="first"), 22)
        self.assertEqual(evt.deep_walk(*path, return_val="last"), 80)

    def test_single_result_is_returned_bare(self):
        self.assertEqual(
            event().deep_walk("resources", "ARN"), "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123"
        )

    def test_empty_result_gives_default(self):
        evt = event()
        self.assertEqual(evt.deep_walk("resources", "nope", default="x"), "x")
        self.assertIsNone(evt.deep_walk("userIdentity", "nope"))
        self.assertEqual(evt.deep_walk("errorCode", default="x"), "x")
        self.assertEqual(PantherEvent({"a": [[], []]}).deep_walk("a", default="x"), "x")

    def test_path_without_lists_returns_value_as_is(self):
        evt = event()
        self.assertEqual(evt.deep_walk("userIdentity", "type"), "IAMUser")
        self.assertEqual(evt.deep_walk("tags"), ["a", ["b", ["c"]]])

    def test_nested_lists_at_the_end_are_flattened(self):
        evt = PantherEvent({"x": [{"v": ["a", ["b"]]}, {"v": "c"}, {"v": None}]})
        self.assertEqual(evt.deep_walk("x", "v"), ["a", "b", "c"])

    def test_unhashable_leaves(self):
        evt = PantherEvent({"x": [{"v": {"k": 1}}, {"v": {"k": 1}}, {"v": {"k": 2}}]})
        self.assertEqual(evt.deep_walk("x", "v"), [{"k": 1}, {"k": 2}])

    def test_invalid_return_val(self):
        with self.assertRaises(ValueError):
            event().deep_walk("resources", "ARN", return_val="middle")


class UdmTest(unittest.TestCase):
    def model(self):
        def get_actor(evt):
            return evt.deep_get("userIdentity", "arn")

        return DataModel(
            "cloudtrail",
            paths={
                "source_ip": JsonPath("sourceIPAddress"),
                "user": JsonPath("$.userIdentity.userName"),
                "first_port": JsonPath("$.requestParameters.ipPermissions.items[0].fromPort"),
                "all_ports": JsonPath("requestParameters.ipPermissions.items[*].fromPort"),
                "identity": JsonPath("$['userIdentity']"),
                "absent": JsonPath("$.not.there"),
            },
            methods={"actor": get_actor},
        )

    def test_path_mappings(self):
        evt = event(model=self.model())
        self.assertEqual(evt.udm("source_ip"), "192.0.2.1")
        self.assertEqual(evt.udm("user"), "alice")
        self.assertEqual(evt.udm("first_port"), 22)
        self.assertEqual(evt.udm("identity", "type"), "IAMUser")
        self.assertEqual(evt.udm_path("user"), "$.userIdentity.userName")

    def test_method_mappings(self):
        evt = event(model=self.model())
        self.assertEqual(evt.udm("actor"), "arn:aws:iam::111122223333:user/alice")
        self.assertEqual(evt.udm_path("actor"), "get_actor")

    def test_mapped_name_without_value_gives_default(self):
        self.assertEqual(event(model=self.model()).udm("absent", default="d"), "d")

    def test_path_matching_several_fields_raises(self):
        with self.assertRaises(ValueError):
            event(model=self.model()).udm("all_ports")

    def test_unmapped_names_fall_back_to_the_event(self):
        evt = event(model=self.model())
        self.assertEqual(evt.udm("eventName"), "AuthorizeSecurityGroupIngress")
        self.assertEqual(evt.udm("userIdentity", "type"), "IAMUser")
        self.assertEqual(evt.udm("nothing", default="d"), "d")

    def test_without_data_model(self):
        evt = event()
        self.assertIsNone(evt.udm("source_ip"))
        self.assertEqual(evt.udm("sourceIPAddress"), "192.0.2.1")
        self.assertEqual(PantherEvent({"p_udm": {"source_ip": "198.51.100.1"}}).udm("source_ip"), "198.51.100.1")

    def test_event_time_epoch(self):
        self.assertEqual(event().event_time_epoch(), 1795169099)
        self.assertEqual(PantherEvent({}).event_time_epoch(), 0)


if __name__ == "__main__":
    unittest.main()
