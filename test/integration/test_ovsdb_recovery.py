"""An acknowledged commit survives kill -9; a half-applied one never appears.

A writer sends multi-row transactions over the wire (three rows tagged with
the same batch number, sometimes with "durable": true) and records each
batch the server acknowledged.  The server is killed with SIGKILL at a
random moment, restarted, and the file must then hold every acknowledged
batch, and every batch it holds must be whole.  Then damaged and foreign
files must be refused at start with a clear message.
"""
import json
import random
import threading
import time

import pytest

from harness import OvsdbServer, RpcClient, build_path, run

SCHEMA = {
    "name": "Recovery",
    "version": "1.0.0",
    "tables": {
        "Item": {
            "columns": {
                "batch": {"type": "integer"},
                "part": {"type": "integer"},
                "payload": {"type": "string"},
            },
            "isRoot": True,
        }
    },
}


def writer(server, start_batch, acked, stop):
    """Writes batches until the connection breaks; appends acknowledged ones."""
    try:
        c = RpcClient(server.unix, timeout=5)
    except OSError:
        return
    batch = start_batch
    try:
        while not stop.is_set():
            ops = [{"op": "insert", "table": "Item",
                    "row": {"batch": batch, "part": p, "payload": "x" * random.randint(0, 2000)}}
                   for p in range(3)]
            if batch % 5 == 0:
                ops.append({"op": "commit", "durable": True})
            reply = c.transact("Recovery", *ops)
            if reply.get("error") is None and all("error" not in r for r in reply["result"]):
                acked.append(batch)
            batch += 1
    except (OSError, ConnectionError, ValueError):
        pass
    finally:
        c.close()


def commit_batch(c, batch):
    """Inserts the three parts of `batch` in one transaction, which must succeed."""
    reply = c.transact("Recovery", *[{"op": "insert", "table": "Item",
                                      "row": {"batch": batch, "part": p, "payload": "z"}} for p in range(3)])
    assert reply.get("error") is None and all("error" not in r for r in reply["result"]), reply


def batches_in(server):
    with RpcClient(server.unix) as c:
        rows = c.transact("Recovery", {"op": "select", "table": "Item", "where": [],
                                       "columns": ["batch", "part"]})["result"][0]["rows"]
    found = {}
    for r in rows:
        found.setdefault(r["batch"], set()).add(r["part"])
    return found


def test_acknowledged_commits_survive_kill_9(tmp_path):
    schema = tmp_path / "recovery.ovsschema"
    schema.write_text(json.dumps(SCHEMA))
    server = OvsdbServer("ours", tmp_path / "srv", schema=schema, tcp=False)
    rng = random.Random(7)
    acked = []
    next_batch = 0
    try:
        for round_ in range(6):
            server.start()
            stop = threading.Event()
            t = threading.Thread(target=writer, args=(server, next_batch, acked, stop))
            t.start()
            time.sleep(rng.uniform(0.05, 0.6))
            server.kill9()
            stop.set()
            t.join(10)
            next_batch = (max(acked) + 1000) if acked else next_batch + 1000

            server.start()
            found = batches_in(server)
            half = {b: parts for b, parts in found.items() if parts != {0, 1, 2}}
            assert not half, f"round {round_}: half-applied batches {half}"
            lost = [b for b in acked if b not in found]
            assert not lost, f"round {round_}: acknowledged batches lost: {lost[:10]}"
            server.stop()
        assert len(acked) > 50, "the writer made too little progress to prove anything"
    finally:
        server.stop()


def test_damaged_and_foreign_files_are_refused(tmp_path):
    schema = tmp_path / "recovery.ovsschema"
    schema.write_text(json.dumps(SCHEMA))
    server_bin = build_path("ovsdb-server/ovsdb-server")

    foreign = tmp_path / "foreign.db"
    foreign.write_text("this is not a database\n")
    p = run([server_bin, str(foreign), f"--remote=punix:{tmp_path}/a.sock",
             f"--unixctl={tmp_path}/a.ctl"], check=False, timeout=10)
    assert p.returncode != 0
    assert str(foreign) in p.stderr and "not an SQLite file" in p.stderr

    ovs_log = tmp_path / "ovs.db"
    run(["/usr/bin/ovsdb-tool", "create", str(ovs_log), str(schema)])
    p = run([server_bin, str(ovs_log), f"--remote=punix:{tmp_path}/b.sock",
             f"--unixctl={tmp_path}/b.ctl"], check=False, timeout=10)
    assert p.returncode != 0
    assert "log-format database" in p.stderr

    damaged = tmp_path / "damaged.db"
    run([build_path("utilities/ovsdb-tool"), "create", str(damaged), str(schema)])
    for chunk in range(10):     # (one command-line argument is limited to 128 KiB)
        ops = [{"op": "insert", "table": "Item", "row": {"batch": chunk * 30 + i, "part": 0, "payload": "y" * 3000}}
               for i in range(30)]
        run([build_path("utilities/ovsdb-tool"), "transact", str(damaged), json.dumps(["Recovery"] + ops)])
    data = bytearray(damaged.read_bytes())
    assert len(data) > 8 * 4096
    data[4 * 4096:6 * 4096] = b"\xa5" * (2 * 4096)
    damaged.write_bytes(bytes(data))
    p = run([server_bin, str(damaged), f"--remote=punix:{tmp_path}/c.sock",
             f"--unixctl={tmp_path}/c.ctl"], check=False, timeout=10)
    assert p.returncode != 0
    assert str(damaged) in p.stderr and "corrupt" in p.stderr


def test_default_mode_locks_readers_out_and_the_log_reaches_the_file(tmp_path):
    """By default (SQLite's exclusive locking, commits appended to
    DB-txlog): sqlite3 and ovsdb-tool are refused while the server runs,
    ovsdb-tool saying so within a few seconds; after kill -9 the newest
    commits may be only in the log, and the first program that may write
    the file (here ovsdb-tool query) applies it, so sqlite3 then sees every
    acknowledged commit."""
    schema = tmp_path / "recovery.ovsschema"
    schema.write_text(json.dumps(SCHEMA))
    server = OvsdbServer("ours", tmp_path / "srv", schema=schema, tcp=False)
    tool = build_path("utilities/ovsdb-tool")
    acked = []
    try:
        server.start()
        with RpcClient(server.unix) as c:
            for batch in range(20):
                commit_batch(c, batch)
                acked.append(batch)
        p = run(["sqlite3", str(server.db), "SELECT count(*) FROM Item"], check=False, timeout=30)
        assert p.returncode != 0 and "locked" in (p.stderr + p.stdout)
        t0 = time.monotonic()
        p = run([tool, "query", str(server.db), json.dumps(["Recovery", {"op": "select", "table": "Item",
                                                                        "where": []}])], check=False, timeout=30)
        assert p.returncode != 0 and "locked by the ovsdb-server" in p.stderr, p.stderr
        assert time.monotonic() - t0 < 5
        # One more, and killed before the server is idle long enough to
        # apply its log.
        with RpcClient(server.unix) as c:
            commit_batch(c, len(acked))
            acked.append(len(acked))
            server.kill9()
        assert "TXN " in (server.dir / "db.db-txlog").read_text()
        p = run([tool, "query", str(server.db), json.dumps(["Recovery", {"op": "select", "table": "Item",
                                                                        "where": [], "columns": ["batch"]}])])
        assert len(json.loads(p.stdout)[0]["rows"]) == 3 * len(acked)
        assert not (server.dir / "db.db-txlog").exists()
        p = run(["sqlite3", str(server.db), "SELECT count(*) FROM Item"], timeout=30)
        assert p.stdout.strip() == str(3 * len(acked))
        server.start()
        found = batches_in(server)
        assert sorted(found) == acked and all(parts == {0, 1, 2} for parts in found.values())
        # A clean stop leaves everything in the file and no log.
        server.stop()
        assert not (server.dir / "db.db-txlog").exists()
        p = run(["sqlite3", str(server.db), "SELECT count(*) FROM Item"], timeout=30)
        assert p.stdout.strip() == str(3 * len(acked))
    finally:
        server.stop()


def test_no_sqlite_exclusive_keeps_commits_and_lets_readers_in(tmp_path):
    """--no-sqlite-exclusive: every commit goes straight to the SQLite file,
    which sqlite3 and ovsdb-tool read while the server runs; acknowledged
    commits survive kill -9 as in the default mode."""
    schema = tmp_path / "recovery.ovsschema"
    schema.write_text(json.dumps(SCHEMA))
    server = OvsdbServer("ours", tmp_path / "srv", schema=schema, tcp=False,
                         extra_args=["--no-sqlite-exclusive"])
    acked = []
    try:
        server.start()
        with RpcClient(server.unix) as c:
            for batch in range(20):
                commit_batch(c, batch)
                acked.append(batch)
            p = run(["sqlite3", str(server.db), "SELECT count(*) FROM Item"], timeout=30)
            assert p.stdout.strip() == str(3 * len(acked))
            p = run([build_path("utilities/ovsdb-tool"), "query", str(server.db),
                     json.dumps(["Recovery", {"op": "select", "table": "Item", "where": [["batch", "==", 19]]}])])
            assert len(json.loads(p.stdout)[0]["rows"]) == 3
        assert not (server.dir / "db.db-txlog").exists()
        server.kill9()
        server.start()
        found = batches_in(server)
        assert sorted(found) == acked and all(parts == {0, 1, 2} for parts in found.values())
    finally:
        server.stop()


def test_a_commit_that_cannot_be_written_fails_cleanly(tmp_path):
    """The disk fills up (a file size limit, RLIMIT_FSIZE, on the server):
    the transactions that cannot be written are answered with an "I/O
    error" and are not applied; the server keeps running and serving, and
    after a restart every acknowledged transaction is there and no failed
    one."""
    schema = tmp_path / "recovery.ovsschema"
    schema.write_text(json.dumps(SCHEMA))
    server = OvsdbServer("ours", tmp_path / "srv", schema=schema, tcp=False)
    server.create()
    base = server.command

    def limited():
        return ["prlimit", "--fsize=%d" % (256 * 1024), "--"] + base()
    server.command = limited
    acked, failed = [], []
    try:
        server.start()
        with RpcClient(server.unix) as c:
            for batch in range(60):
                ops = [{"op": "insert", "table": "Item",
                        "row": {"batch": batch, "part": p, "payload": "x" * 4000}} for p in range(3)]
                reply = c.transact("Recovery", *ops)
                assert reply.get("error") is None
                errors = [r for r in reply["result"] if "error" in r]
                if errors:
                    assert errors[0]["error"] == "I/O error", reply
                    failed.append(batch)
                else:
                    acked.append(batch)
            assert failed, "the size limit was never reached"
            assert acked
            # Still serving, and what it serves is what it acknowledged.
            assert sorted(batches_in(server)) == acked
        server.kill9()
        server.command = base
        server.start()
        found = batches_in(server)
        assert sorted(found) == acked and all(parts == {0, 1, 2} for parts in found.values())
    finally:
        server.stop()
