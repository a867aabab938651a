"""Debian's ovsdb-client (3.1) against the server, every step asserted.

Run against our server and Debian's (`any_ovsdb`); the Debian run proves the
expectations.
"""
import json
import subprocess
import time

from harness import DEBIAN, SCHEMA, ovsdb_client, vsctl, wait_for


def client(*args, **kw):
    return ovsdb_client(*args, **kw)


def test_list_dbs_and_schema(any_ovsdb):
    dbs = client("list-dbs", any_ovsdb.unix).stdout.split()
    assert "Open_vSwitch" in dbs
    schema = json.loads(client("get-schema", any_ovsdb.unix, "Open_vSwitch").stdout)
    ours = json.loads(SCHEMA.read_text())
    assert schema["name"] == "Open_vSwitch"
    assert schema["version"] == ours["version"]
    assert set(schema["tables"]) == set(ours["tables"])
    for t, ts in ours["tables"].items():
        assert set(schema["tables"][t]["columns"]) == set(ts["columns"]), t
    assert client("get-schema-version", any_ovsdb.unix).stdout.strip() == ours["version"]
    tables = client("list-tables", any_ovsdb.unix).stdout
    for t in ("Open_vSwitch", "Bridge", "Port", "Interface", "Manager", "SSL"):
        assert f"\n{t}\n" in tables or tables.startswith(t) or f"\n{t}" in tables


def test_transact_and_dump(any_ovsdb):
    res = json.loads(client("transact", any_ovsdb.unix, json.dumps(
        ["Open_vSwitch",
         {"op": "insert", "table": "Open_vSwitch", "row": {}},
         {"op": "insert", "table": "Bridge", "row": {"name": "brA"},
          "uuid-name": "b"},
         {"op": "mutate", "table": "Open_vSwitch", "where": [],
          "mutations": [["bridges", "insert", ["set", [["named-uuid", "b"]]]]]},
         {"op": "comment", "comment": "from the test"}])).stdout)
    assert len(res) == 4
    assert res[0]["uuid"][0] == "uuid" and res[1]["uuid"][0] == "uuid"
    assert res[2] == {"count": 1}
    dump = client("dump", any_ovsdb.unix, "Open_vSwitch", "Bridge", "name").stdout
    assert "brA" in dump
    sel = json.loads(client("query", any_ovsdb.unix, json.dumps(
        ["Open_vSwitch", {"op": "select", "table": "Bridge", "where": [],
                          "columns": ["name"]}])).stdout)
    assert sel == [{"rows": [{"name": "brA"}]}]
    # A transaction with an error reports it and changes nothing.
    res = json.loads(client("transact", any_ovsdb.unix, json.dumps(
        ["Open_vSwitch",
         {"op": "insert", "table": "Bridge", "row": {"name": "brB"}},
         {"op": "insert", "table": "Bridge", "row": {"name": 42}}]),
        check=False).stdout)
    assert "error" in res[-1] or any("error" in r for r in res if r)
    sel = json.loads(client("query", any_ovsdb.unix, json.dumps(
        ["Open_vSwitch", {"op": "select", "table": "Bridge", "where": [],
                          "columns": ["name"]}])).stdout)
    assert sel == [{"rows": [{"name": "brA"}]}]


def test_monitor_sees_changes(any_ovsdb):
    vsctl(any_ovsdb, "init")
    vsctl(any_ovsdb, "add-br", "br0")   # (an empty table prints no initial line)
    mon = subprocess.Popen(
        [DEBIAN["ovsdb-client"], "monitor", any_ovsdb.unix, "Open_vSwitch",
         "Bridge", "name", "--format=json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(mon.stdout.readline())    # the initial contents
        assert [r[1:] for r in first["data"]] == [["initial", "br0"]]
        vsctl(any_ovsdb, "add-br", "brM")
        line = mon.stdout.readline()
        update = json.loads(line)
        names = [row for row in update["data"]]
        assert any("brM" in json.dumps(r) for r in names)
        assert "insert" in line
        vsctl(any_ovsdb, "del-br", "brM")
        line = mon.stdout.readline()
        assert "delete" in line and "brM" in line
    finally:
        mon.kill()
        mon.wait()


def test_monitor_cond(any_ovsdb):
    vsctl(any_ovsdb, "init")
    vsctl(any_ovsdb, "add-br", "br-a")
    vsctl(any_ovsdb, "add-br", "br-b")
    mon = subprocess.Popen(
        [DEBIAN["ovsdb-client"], "monitor-cond", any_ovsdb.unix, "Open_vSwitch",
         '[["name","==","br-b"]]', "Bridge", "name", "--format=json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(mon.stdout.readline())
        assert [r[1:] for r in first["data"]] == [["initial", "br-b"]]
        brb_uuid = first["data"][0][0]
        vsctl(any_ovsdb, "set", "Bridge", "br-a", "external_ids:x=1")
        vsctl(any_ovsdb, "set", "Bridge", "br-b", "external_ids:x=1")
        vsctl(any_ovsdb, "add-br", "br-c")
        vsctl(any_ovsdb, "del-br", "br-b")
        update = json.loads(mon.stdout.readline())
        # Only br-b's deletion matches the condition (a name-only monitor does
        # not report br-b's external_ids change; update2 deletes carry no
        # columns, so the row is identified by its UUID).
        assert [r[:2] for r in update["data"]] == [[brb_uuid, "delete"]]
    finally:
        mon.kill()
        mon.wait()


def test_lock_steal_unlock(any_ovsdb):
    holder = subprocess.Popen(
        [DEBIAN["ovsdb-client"], "lock", any_ovsdb.unix, "mylock"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "locked" in holder.stdout.readline()
        # A second client that steals the lock gets it; the first one is told.
        thief = subprocess.Popen(
            [DEBIAN["ovsdb-client"], "steal", any_ovsdb.unix, "mylock"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert "locked" in thief.stdout.readline()
            assert "stolen" in holder.stdout.readline()
        finally:
            thief.kill()
            thief.wait()
    finally:
        holder.kill()
        holder.wait()


def test_python_idl_insert_watch_delete(any_ovsdb):
    """The real Python IDL (python3-openvswitch) as a client."""
    vsctl(any_ovsdb, "init")
    script = r'''
import sys, time
import ovs.db.idl, ovs.poller, ovs.jsonrpc
remote, schema_path = sys.argv[1], sys.argv[2]
helper = ovs.db.idl.SchemaHelper(schema_path)
helper.register_all()
idl = ovs.db.idl.Idl(remote, helper)

def run_until(pred, what):
    deadline = time.time() + 10
    while not pred():
        idl.run()
        if pred():
            break
        if time.time() > deadline:
            print("TIMEOUT " + what); sys.exit(1)
        poller = ovs.poller.Poller(); idl.wait(poller); poller.timer_wait(100); poller.block()

run_until(lambda: idl.has_ever_connected() and len(idl.tables["Open_vSwitch"].rows) == 1, "connect")

def commit(fn):
    while True:
        txn = ovs.db.idl.Transaction(idl)
        fn(txn)
        status = txn.commit_block()
        if status != ovs.db.idl.Transaction.TRY_AGAIN:
            return status

def add(txn):
    br = txn.insert(idl.tables["Bridge"])
    br.name = "br-py"
    root = next(iter(idl.tables["Open_vSwitch"].rows.values()))
    root.bridges = list(root.bridges) + [br]
st = commit(add)
print("insert", ovs.db.idl.Transaction.status_to_string(st))
run_until(lambda: any(b.name == "br-py" for b in idl.tables["Bridge"].rows.values()), "see br-py")
print("seen br-py")
# wait for a change made by another client (ovs-vsctl), signalled on stdin
sys.stdout.flush()
sys.stdin.readline()
run_until(lambda: any(b.name == "br-vsctl" for b in idl.tables["Bridge"].rows.values()), "see br-vsctl")
print("seen br-vsctl")
def delete(txn):
    root = next(iter(idl.tables["Open_vSwitch"].rows.values()))
    root.bridges = [b for b in root.bridges if b.name != "br-py"]
st = commit(delete)
print("delete", ovs.db.idl.Transaction.status_to_string(st))
run_until(lambda: not any(b.name == "br-py" for b in idl.tables["Bridge"].rows.values()), "br-py gone")
print("done")
'''
    p = subprocess.Popen(["/usr/bin/python3", "-c", script, any_ovsdb.unix,
                          str(SCHEMA)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "insert success"
        assert p.stdout.readline().strip() == "seen br-py"
        assert vsctl(any_ovsdb, "list-br").stdout.split() == ["br-py"]
        vsctl(any_ovsdb, "add-br", "br-vsctl")
        p.stdin.write("go\n")
        p.stdin.flush()
        assert p.stdout.readline().strip() == "seen br-vsctl"
        assert p.stdout.readline().strip() == "delete success"
        assert p.stdout.readline().strip() == "done"
        assert p.wait(10) == 0, p.stderr.read()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert vsctl(any_ovsdb, "list-br").stdout.split() == ["br-vsctl"]
    # Garbage collection removed the unreferenced Bridge row.
    assert vsctl(any_ovsdb, "--bare", "--columns=name", "list", "Bridge").stdout.split() == ["br-vsctl"]
