"""Protocol parity: the same raw JSON-RPC requests to our server and Debian's.

Each case is one or more requests on a fresh connection to a fresh database;
the replies must agree after UUIDs are normalised (UUIDs are random, so each
distinct UUID becomes "<uuid#N>" in order of first appearance).  Error
replies must agree on the error kind; the human-readable "details" text is
allowed to differ in wording and is not compared.
"""
import json
import re

import pytest

from harness import OvsdbServer, RpcClient

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DB = "Open_vSwitch"


def normalise(value):
    mapping = {}

    def sub(m):
        return mapping.setdefault(m.group(0), f"<uuid#{len(mapping)}>")

    text = UUID_RE.sub(sub, json.dumps(value, sort_keys=True))
    value = json.loads(text)

    def strip(v):
        if isinstance(v, dict):
            return {k: ("<details>" if k in ("details", "syntax") and "error" in v
                        else strip(x))
                    for k, x in v.items()}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    return strip(value)


def root_insert():
    return {"op": "insert", "table": "Open_vSwitch", "row": {}}


# Each case: a list of (method, params).  All run in order on one connection.
CASES = {
    "list_dbs": [("list_dbs", [])],
    "echo": [("echo", ["hello", 1, [2]])],
    "unknown_method": [("no_such_method", [])],
    "get_schema_unknown_db": [("get_schema", ["Nope"])],
    "transact_unknown_db": [("transact", ["Nope", {"op": "select", "table": "Bridge", "where": []}])],
    "transact_unknown_table": [("transact", [DB, {"op": "select", "table": "Nope", "where": []}])],
    "transact_unknown_column": [("transact", [DB, {"op": "select", "table": "Bridge",
                                                   "where": [["nope", "==", 1]]}])],
    "transact_unknown_op": [("transact", [DB, {"op": "frobnicate", "table": "Bridge"}])],
    "insert_type_error": [("transact", [DB, {"op": "insert", "table": "Bridge",
                                              "row": {"name": 5}}])],
    "insert_enum_violation": [("transact", [DB, {"op": "insert", "table": "Bridge",
                                                  "row": {"name": "b", "fail_mode": "bogus"}}])],
    "insert_range_violation": [("transact", [DB, {"op": "insert", "table": "Interface",
                                                   "row": {"name": "i", "ofport_request": 70000}}])],
    "insert_and_select": [
        ("transact", [DB, root_insert(),
                      {"op": "insert", "table": "Bridge", "row": {"name": "br0"}, "uuid-name": "b"},
                      {"op": "update", "table": "Open_vSwitch", "where": [],
                       "row": {"bridges": ["named-uuid", "b"]}}]),
        ("transact", [DB, {"op": "select", "table": "Bridge", "where": [["name", "==", "br0"]],
                           "columns": ["name", "ports", "fail_mode"]}]),
    ],
    "forward_named_uuid": [
        ("transact", [DB, root_insert(),
                      {"op": "update", "table": "Open_vSwitch", "where": [],
                       "row": {"bridges": ["set", [["named-uuid", "later"]]]}},
                      {"op": "insert", "table": "Bridge", "row": {"name": "brF"}, "uuid-name": "later"}]),
        ("transact", [DB, {"op": "select", "table": "Bridge", "where": [], "columns": ["name"]}]),
    ],
    "unreferenced_rows_are_collected": [
        ("transact", [DB, {"op": "insert", "table": "Bridge", "row": {"name": "orphan"}}]),
        ("transact", [DB, {"op": "select", "table": "Bridge", "where": [], "columns": ["name"]}]),
    ],
    "strong_reference_integrity": [
        ("transact", [DB, root_insert(),
                      {"op": "update", "table": "Open_vSwitch", "where": [],
                       "row": {"bridges": ["set", [["uuid", "2a9c7a60-5f2b-4e3c-9d1e-000000000001"]]]}}]),
    ],
    "mutate_and_count": [
        ("transact", [DB, root_insert()]),
        ("transact", [DB, {"op": "mutate", "table": "Open_vSwitch", "where": [],
                           "mutations": [["next_cfg", "+=", 5], ["external_ids", "insert",
                                                                 ["map", [["a", "b"]]]]]},
                      {"op": "select", "table": "Open_vSwitch", "where": [],
                       "columns": ["next_cfg", "external_ids"]}]),
        ("transact", [DB, {"op": "mutate", "table": "Open_vSwitch", "where": [],
                           "mutations": [["next_cfg", "/=", 0]]}]),
    ],
    "wait_and_assert": [
        ("transact", [DB, root_insert()]),
        ("transact", [DB, {"op": "wait", "table": "Open_vSwitch", "where": [],
                           "columns": ["next_cfg"], "until": "==", "rows": [{"next_cfg": 0}],
                           "timeout": 0}]),
        ("transact", [DB, {"op": "wait", "table": "Open_vSwitch", "where": [],
                           "columns": ["next_cfg"], "until": "==", "rows": [{"next_cfg": 7}],
                           "timeout": 0}]),
        ("transact", [DB, {"op": "assert", "lock": "nobody-holds-this"}]),
    ],
    "abort_and_comment": [
        ("transact", [DB, root_insert(), {"op": "comment", "comment": "x"}, {"op": "abort"}]),
        ("transact", [DB, {"op": "select", "table": "Open_vSwitch", "where": [], "columns": ["_uuid"]}]),
    ],
    "delete": [
        ("transact", [DB, root_insert()]),
        ("transact", [DB, {"op": "delete", "table": "Open_vSwitch", "where": []}]),
        ("transact", [DB, {"op": "delete", "table": "Open_vSwitch", "where": []}]),
    ],
    "max_rows_and_index": [
        ("transact", [DB, root_insert(), root_insert()]),
        ("transact", [DB, root_insert(),
                      {"op": "insert", "table": "Bridge", "row": {"name": "dup"}, "uuid-name": "a"},
                      {"op": "insert", "table": "Bridge", "row": {"name": "dup"}, "uuid-name": "b"},
                      {"op": "update", "table": "Open_vSwitch", "where": [],
                       "row": {"bridges": ["set", [["named-uuid", "a"], ["named-uuid", "b"]]]}}]),
    ],
    "transact_params_not_array": [("transact", {"db": DB})],
    "monitor_and_cancel": [
        ("transact", [DB, root_insert()]),
        ("monitor", [DB, "m1", {"Open_vSwitch": {"columns": ["next_cfg"]}}]),
        ("monitor_cancel", ["m1"]),
        ("monitor_cancel", ["m1"]),
    ],
    "monitor_cond_initial": [
        ("transact", [DB, root_insert(),
                      {"op": "insert", "table": "Bridge", "row": {"name": "x"}, "uuid-name": "b"},
                      {"op": "update", "table": "Open_vSwitch", "where": [],
                       "row": {"bridges": ["named-uuid", "b"]}}]),
        ("monitor_cond", [DB, ["m", 2], {"Bridge": [{"columns": ["name"],
                                                     "where": [["name", "==", "x"]]}]}]),
        ("monitor_cond", [DB, ["m", 2], {"Bridge": [{"columns": ["name"]}]}]),
    ],
    "lock_twice": [("lock", ["L"]), ("lock", ["L"]), ("unlock", ["L"]), ("unlock", ["L"])],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_replies_as_debian(case, tmp_path):
    replies = {}
    for impl in ("debian", "ours"):
        with OvsdbServer(impl, tmp_path / impl, tcp=False) as srv:
            got = []
            with RpcClient(srv.unix) as c:
                for method, params in CASES[case]:
                    try:
                        reply = c.call(method, params)
                    except ConnectionError:
                        # The protocol answers some malformed requests by
                        # closing the connection: that is the outcome.
                        got.append("connection closed")
                        break
                    got.append({k: reply.get(k) for k in ("result", "error")})
            replies[impl] = normalise(got)
    assert replies["ours"] == replies["debian"]


def test_update2_notifications_same_as_debian(tmp_path):
    """monitor_cond's update2 diffs, column shape by column shape: optional
    scalars carry the new value (also when emptied), sets the toggled
    elements, maps the changed pairs."""
    upd = lambda row: [("transact", [DB, {"op": "update", "table": "Bridge", "where": [], "row": row}])]
    steps = (upd({"fail_mode": "secure"}) + upd({"fail_mode": "standalone"}) +
             upd({"fail_mode": ["set", []]}) +
             upd({"flood_vlans": ["set", [1, 2, 3]]}) + upd({"flood_vlans": ["set", [2, 7]]}) +
             upd({"other_config": ["map", [["a", "1"], ["b", "2"]]]}) +
             upd({"other_config": ["map", [["b", "3"], ["c", "4"]]]}) +
             upd({"datapath_type": "netdev"}))
    seen = {}
    for impl in ("debian", "ours"):
        with OvsdbServer(impl, tmp_path / impl, tcp=False) as srv:
            with RpcClient(srv.unix) as c:
                c.call("transact", [DB, root_insert(),
                                    {"op": "insert", "table": "Bridge", "row": {"name": "x"}, "uuid-name": "b"},
                                    {"op": "update", "table": "Open_vSwitch", "where": [],
                                     "row": {"bridges": ["named-uuid", "b"]}}])
                c.call("monitor_cond", [DB, "m", {"Bridge": [{"columns": [
                    "fail_mode", "flood_vlans", "other_config", "datapath_type"]}]}])
                for method, params in steps:
                    assert c.call(method, params).get("error") is None
                got = [n for n in c.notifications if n.get("method") == "update2"]
            seen[impl] = normalise(got)
    assert len(seen["debian"]) == len(steps)
    assert seen["ours"] == seen["debian"]


@pytest.mark.parametrize("impl", ["ours", "debian"])
def test_lock_requests_and_their_errors(impl, tmp_path):
    """lock/steal/unlock replies, notifications and error texts as Open vSwitch's."""
    with OvsdbServer(impl, tmp_path / impl) as s, RpcClient(s.unix) as a, \
            RpcClient(s.unix) as b, RpcClient(s.unix) as c:
        def err(reply):
            return (reply["error"] or {}).get("details")
        assert a.call("lock", ["X"])["result"] == {"locked": True}
        assert err(a.call("lock", ["X"])) == 'must issue "unlock" before new "lock"'
        assert err(a.call("steal", ["X"])) == 'must issue "unlock" before new "steal"'
        assert b.call("lock", ["X"])["result"] == {"locked": False}
        assert err(b.call("steal", ["X"])) == 'must issue "unlock" before new "steal"'
        # A third session steals: the owner hears "stolen" and stays queued
        # (behind the thief, ahead of b); when the thief unlocks, it is
        # "locked" again, and b only after the owner lets go.
        assert c.call("steal", ["X"])["result"] == {"locked": True}
        assert a.recv() == {"id": None, "method": "stolen", "params": ["X"]}
        assert c.call("unlock", ["X"])["result"] == {}
        assert a.recv() == {"id": None, "method": "locked", "params": ["X"]}
        assert a.call("unlock", ["X"])["result"] == {}
        assert b.recv() == {"id": None, "method": "locked", "params": ["X"]}
        assert err(a.call("unlock", ["X"])) == 'unlock: "unlock" without "lock" or "steal"'
        assert err(a.call("unlock", ["bad name!"])) == "unlock request params must be <id>"
        assert err(a.call("lock", [])) == "lock request params must be <id>"
        assert all(r["error"]["error"] == "syntax error" for r in
                   (a.call("lock", []), a.call("steal", [1])))
