"""Our ovsdb-client, command by command, against Debian's ovsdb-client 3.1.

Each case runs the same command line through Debian's /usr/bin/ovsdb-client
and ours against the same server state, on our ovsdb-server and on Debian's
(so our client is also proven against the real server), and compares stdout,
stderr and exit status.  Where the two differ on purpose the comparison says
so and docs/ovsdb-client.md lists it:

  * list-tables / list-columns: Open vSwitch prints tables and columns in
    its hash tables' order; ours prints them sorted.  Compared as sorted lines.
  * monitor: rows (and tables) within one update come in hash order
    upstream, sorted in ours.  Compared with rows and table blocks sorted.
  * error texts of malformed JSON arguments name the JSON parser's complaint
    (both start with the program name and exit 1).
"""
import json
import os
import signal
import sqlite3
import subprocess
import time

import pytest

from harness import (DEBIAN, SCHEMA, OvsdbServer, build_path, free_port, run,
                     tcp_listening, vsctl, wait_for)

OURS = None


def ours():
    global OURS
    if OURS is None:
        OURS = build_path("utilities/ovsdb-client")
    return OURS


def exe(impl):
    return DEBIAN["ovsdb-client"] if impl == "debian" else ours()


def both(*args, check_same=True, sort_lines=False, env=None, input=None):
    """Runs the command through both clients; returns (debian, ours)."""
    d = run([exe("debian")] + list(args), check=False, env=env, input=input)
    o = run([exe("ours")] + list(args), check=False, env=env, input=input)
    if check_same:
        norm = (lambda s: sorted(s.splitlines())) if sort_lines else (lambda s: s)
        assert (o.returncode, norm(o.stdout), norm(o.stderr)) == \
               (d.returncode, norm(d.stdout), norm(d.stderr)), \
            f"{args}\n--- debian ({d.returncode})\n{d.stdout}{d.stderr}" \
            f"--- ours ({o.returncode})\n{o.stdout}{o.stderr}"
    return d, o


@pytest.fixture(params=["ours", "debian"])
def server(request, tmp_path):
    """A server (ours or Debian's) holding a small switch configuration."""
    with OvsdbServer(request.param, tmp_path / request.param) as s:
        vsctl(s, "init", "--", "add-br", "br0", "--", "add-port", "br0", "p1",
              "--", "add-port", "br0", "p2", "--", "set", "port", "p2", "tag=7",
              "--", "set", "bridge", "br0", "other_config:a=b",
              'external_ids:x="y z"', "--", "set-manager", "tcp:1.2.3.4:6640",
              "--", "add-br", "br1", "--", "set", "interface", "p1", "type=internal")
        yield s


STATIC = [
    ["list-dbs"],
    ["get-schema"],
    ["get-schema", "Open_vSwitch"],
    ["get-schema-version"],
    ["get-schema-cksum"],
    ["get-schema", "_Server"],
    ["dump"],
    ["dump", "Open_vSwitch"],
    ["dump", "Open_vSwitch", "Bridge"],
    ["dump", "Open_vSwitch", "Bridge", "name", "ports"],
    ["dump", "Open_vSwitch", "Interface", "name", "type", "_uuid"],
    ["dump", "_Server"],
    ["--format=list", "dump"],
    ["--format=csv", "dump"],
    ["--format=html", "dump", "Open_vSwitch", "Port"],
    ["--format=json", "dump"],
    ["--format=json", "--pretty", "dump", "Open_vSwitch", "Bridge"],
    ["--data=json", "dump"],
    ["--data=bare", "dump", "Open_vSwitch", "Port", "name", "tag"],
    ["--bare", "dump", "Open_vSwitch", "Bridge"],
    ["--no-headings", "dump", "Open_vSwitch", "Port"],
    ["-f", "list", "-d", "json", "dump", "Open_vSwitch", "Manager"],
    ["transact", '["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name"]}]'],
    ["transact", '["Open_vSwitch",{"op":"select","table":"Bridge","where":[["name","==","br1"]],'
                 '"columns":["name","fail_mode"]}]'],
    ["transact", '["Open_vSwitch",{"op":"select","table":"Nope","where":[]}]'],
    ["transact", '["Nodb",{"op":"select","table":"Bridge","where":[]}]'],
    ["query", '["Open_vSwitch",{"op":"select","table":"Port","where":[],"columns":["name","tag"]}]'],
    ["--pretty", "query", '["Open_vSwitch",{"op":"select","table":"Manager","where":[],"columns":["target"]}]'],
    # errors
    ["dump", "Open_vSwitch", "Nope"],
    ["dump", "Open_vSwitch", "Bridge", "nope"],
    ["list-columns", "Open_vSwitch", "Nope"],
    ["get-schema", "Open_vSwitch", "extra"],
    ["list-dbs", "extra"],
    ["monitor", "Open_vSwitch", "Nope"],
    ["monitor", "Open_vSwitch", "Bridge", "name,nope"],
    ["monitor", "Open_vSwitch", "Bridge", "name,name"],
    ["monitor-cond", "Open_vSwitch", "[]"],

    ["lock"],
    ["wait", "Open_vSwitch", "bogus"],
    ["nosuchcommand"],
    [],
]


@pytest.mark.parametrize("args", STATIC, ids=[" ".join(a) or "(none)" for a in STATIC])
def test_same_output_as_debian(server, args):
    # Commands that take SERVER get it first, as people type them.
    if args and not args[0].startswith("-") and args[0] not in ("nosuchcommand", "wait"):
        args = [args[0], server.unix] + args[1:]
    elif args and args[0].startswith("-"):
        k = next(i for i, a in enumerate(args) if not a.startswith("-") and
                 not (i > 0 and args[i - 1] in ("-f", "-d")))
        args = args[:k + 1] + [server.unix] + args[k + 1:]
    both(*args)


def test_default_server_and_database(server, tmp_path):
    """No SERVER: unix:$OVS_RUNDIR/db.sock; no DATABASE: Open_vSwitch."""
    rundir = tmp_path / "rundir"
    rundir.mkdir()
    os.symlink(server.sock, rundir / "db.sock")
    env = {"OVS_RUNDIR": str(rundir)}
    both("list-dbs", env=env)
    both("dump", "Bridge", "name", env=env)
    both("transact", '["Open_vSwitch",{"op":"select","table":"SSL","where":[]}]', env=env)
    d, o = both("list-dbs", env={"OVS_RUNDIR": str(tmp_path / "nowhere")}, check_same=False)
    assert d.returncode == o.returncode == 1
    assert "failed to connect" in o.stderr and "nowhere/db.sock" in o.stderr


def test_list_tables_and_columns(server):
    """Same tables and columns; upstream's order is its hash tables', ours sorted."""
    d, o = both("list-tables", server.unix, sort_lines=True)
    assert "Bridge" in o.stdout.split()
    assert o.stdout.splitlines()[2:] == sorted(o.stdout.splitlines()[2:])
    both("list-columns", server.unix, sort_lines=True)
    both("list-columns", server.unix, "Open_vSwitch", "Manager", sort_lines=True)
    both("--format=csv", "list-columns", server.unix, "Open_vSwitch", "Bridge", sort_lines=True)


def test_transact_changes_and_errors(server):
    # An insert through each client works and is visible to the other.
    for impl, name in (("debian", "brD"), ("ours", "brO")):
        r = run([exe(impl), "transact", server.unix, json.dumps(
            ["Open_vSwitch", {"op": "insert", "table": "Bridge", "row": {"name": name},
                              "uuid-name": "b"},
             {"op": "mutate", "table": "Open_vSwitch", "where": [],
              "mutations": [["bridges", "insert", ["named-uuid", "b"]]]}])])
        res = json.loads(r.stdout)
        assert res[0]["uuid"][0] == "uuid" and res[1] == {"count": 1}
    names = vsctl(server, "list-br").stdout.split()
    assert names == ["br0", "br1", "brD", "brO"]
    # query does not change anything, and reports what it would have done.
    d, o = both("query", server.unix, json.dumps(
        ["Open_vSwitch", {"op": "delete", "table": "Bridge", "where": []}]))
    assert json.loads(o.stdout) == [{"count": 4}]
    assert vsctl(server, "list-br").stdout.split() == names
    # A constraint violation (a second row in a table of at most one) is
    # printed as the server's result, exit status 0.
    d, o = both("transact", server.unix, json.dumps(
        ["Open_vSwitch", {"op": "insert", "table": "Open_vSwitch", "row": {}}]),
        check_same=False)
    assert d.returncode == o.returncode == 0
    assert json.loads(o.stdout)[-1]["error"] == json.loads(d.stdout)[-1]["error"]
    # Malformed JSON: a clear error naming the argument's problem, exit 1.
    d, o = both("transact", server.unix, "[not json", check_same=False)
    assert d.returncode == o.returncode == 1 and o.stdout == ""
    assert o.stderr.startswith('ovsdb-client: "[not json": ') and "column 3" in o.stderr


def _wait_text(path, pred, what):
    wait_for(lambda: path.exists() and pred(path.read_text()), timeout=15, what=what)


def _blocks(text):
    """Monitor output normalised for comparison: the rows of each table
    printed are sorted (upstream prints them in hash order).  Handles the
    table format (blocks with a '---' rule), CSV (a heading line per table)
    and JSON (one object per table)."""
    out = []
    if text.lstrip().startswith("{"):
        for line in text.splitlines():
            try:
                j = json.loads(line)
            except ValueError:
                out.append(line)
                continue
            j["data"] = sorted(j["data"], key=json.dumps)
            out.append(json.dumps(j, sort_keys=True))
        return out
    if text.startswith("row,"):
        group = []
        for line in text.splitlines() + ["row,"]:
            if line.startswith("row,"):
                out.extend(sorted(group))
                out.append(line)
                group = []
            else:
                group.append(line)
        return out
    for block in text.strip("\n").split("\n\n"):
        lines = block.splitlines()
        k = next((i for i, l in enumerate(lines) if l.startswith("---")), None)
        if k is None:
            out.append(lines)
        else:
            out.append(lines[:k + 1] + sorted(lines[k + 1:]))
    # Tables within one update also come in hash order upstream (monitor ALL).
    return sorted(out)


MONITORS = [
    ["monitor", "Open_vSwitch", "Bridge", "name,other_config,external_ids"],
    ["monitor", "Open_vSwitch", "Bridge", "name,other_config,!initial"],
    ["monitor", "Open_vSwitch", "Bridge", "name,other_config,!insert,!delete"],
    ["monitor", "Open_vSwitch", "Port", "name,tag"],
    ["monitor", "Open_vSwitch", "Bridge"],
    ["--format=json", "monitor", "Open_vSwitch", "Bridge", "name,other_config"],
    ["--format=csv", "monitor", "Open_vSwitch", "Bridge", "name,other_config"],
    ["monitor-cond", "Open_vSwitch", '[["name","==","brm"]]', "Bridge", "name,other_config"],
    ["monitor-cond", "Open_vSwitch", '[true]', "Bridge", "name,external_ids"],
    ["monitor", "Open_vSwitch", "ALL"],
]


@pytest.mark.parametrize("args", MONITORS, ids=[" ".join(a) for a in MONITORS])
def test_monitor_same_as_debian(server, tmp_path, args):
    k = next(i for i, a in enumerate(args) if not a.startswith("-"))
    args = args[:k + 1] + [server.unix] + args[k + 1:]
    outs, procs = {}, {}
    for impl in ("debian", "ours"):
        outs[impl] = tmp_path / f"monitor-{impl}.txt"
        procs[impl] = subprocess.Popen([exe(impl)] + args, stdout=open(outs[impl], "w"),
                                       stderr=subprocess.STDOUT)
    try:
        initial = "!initial" not in " ".join(args) and "brm" not in " ".join(args)
        for impl in outs:
            if initial:
                _wait_text(outs[impl], lambda t: t.strip() != "", f"{impl} initial contents")
        if not initial:
            time.sleep(1.0)   # nothing to print yet; let both register their monitors
        steps = [
            ["add-br", "brm", "--", "set", "bridge", "brm", "other_config:k=v"],
            ["set", "bridge", "brm", "other_config:k=w", "external_ids:e=f"],
            ["set", "port", "p2", "tag=8"],
            ["del-br", "brm"],
        ]
        for step in steps:
            vsctl(server, *step)
            # Both print what this step changed (if they print it at all).
            wait_for(lambda: _blocks(outs["ours"].read_text()) == _blocks(outs["debian"].read_text()),
                     timeout=5, what="both monitors to print the same")
    finally:
        for p in procs.values():
            p.send_signal(signal.SIGTERM)
        for p in procs.values():
            p.wait(10)
    d, o = outs["debian"].read_text(), outs["ours"].read_text()
    assert _blocks(o) == _blocks(d), f"--- debian\n{d}--- ours\n{o}"
    assert "terminating with signal 15" in o


def test_monitor_timestamp(server, tmp_path):
    out = tmp_path / "ts.txt"
    p = subprocess.Popen([ours(), "--timestamp", "monitor", server.unix, "Open_vSwitch",
                          "Bridge", "name"], stdout=open(out, "w"), stderr=subprocess.STDOUT)
    try:
        _wait_text(out, lambda t: "br0" in t, "initial contents")
        vsctl(server, "add-br", "brt")
        _wait_text(out, lambda t: "brt" in t, "the new bridge")
    finally:
        p.terminate()
        p.wait(10)
    blocks = out.read_text().strip().split("\n\n")
    for b in blocks[:2]:
        first = b.splitlines()[0]
        t = time.strptime(first[:19], "%Y-%m-%d %H:%M:%S")
        assert abs(time.mktime(t) - time.mktime(time.gmtime())) < 120, first


def test_monitor_ends_when_server_goes(tmp_path):
    s = OvsdbServer("ours", tmp_path / "s").start()
    vsctl(s, "init", "--", "add-br", "br0")
    out = tmp_path / "m.txt"
    p = subprocess.Popen([ours(), "monitor", s.unix, "Open_vSwitch", "Bridge", "name"],
                         stdout=open(out, "w"), stderr=subprocess.STDOUT)
    try:
        _wait_text(out, lambda t: "row" in t, "initial contents")
        s.stop()
        assert p.wait(10) == 0
    finally:
        if p.poll() is None:
            p.kill()
        s.stop()


def test_timeout_ends_a_monitor_like_debian(server):
    for impl in ("debian", "ours"):
        t0 = time.monotonic()
        r = run([exe(impl), "--timeout=1", "monitor", server.unix, "Open_vSwitch", "Bridge",
                 "name"], check=False, timeout=20)
        assert r.returncode == -signal.SIGALRM, (impl, r)
        assert "terminating with signal 14 (Alarm clock)" in r.stderr
        assert 0.9 < time.monotonic() - t0 < 8
    both("--timeout=0", "list-dbs", server.unix, check_same=False)


def _lock_sequence(impl, server, tmp_path):
    """lock, a second waiter, steal, the thief goes, an unheld unlock; outputs."""
    outs = {n: tmp_path / f"{impl}-{n}.txt" for n in ("holder", "waiter", "thief")}

    def start(n, method):
        return subprocess.Popen([exe(impl), method, server.unix, "L1"],
                                stdout=open(outs[n], "w"), stderr=subprocess.DEVNULL)
    holder = start("holder", "lock")
    _wait_text(outs["holder"], lambda t: "locked" in t, "the lock")
    waiter = start("waiter", "lock")
    _wait_text(outs["waiter"], lambda t: "locked" in t, "the waiter's reply")
    thief = start("thief", "steal")
    _wait_text(outs["holder"], lambda t: "stolen" in t, "the stolen notification")
    _wait_text(outs["thief"], lambda t: "locked" in t, "the thief's reply")
    thief.terminate()
    thief.wait(10)
    # The lock goes back to the earliest waiter: the stolen holder.
    _wait_text(outs["holder"], lambda t: t.count("locked") == 2, "the lock back")
    holder.terminate()
    holder.wait(10)
    _wait_text(outs["waiter"], lambda t: t.count("locked") == 2, "the waiter's turn")
    waiter.terminate()
    waiter.wait(10)
    return {n: p.read_text() for n, p in outs.items()}


def test_lock_steal_same_as_debian(server, tmp_path):
    d = _lock_sequence("debian", server, tmp_path)
    o = _lock_sequence("ours", server, tmp_path)
    assert o == d
    assert o["holder"] == '{"locked":true}\nstolen\n["L1"]\nlocked\n["L1"]\n'
    assert o["waiter"] == '{"locked":false}\nlocked\n["L1"]\n'
    assert o["thief"] == '{"locked":true}\n'


def test_unlock_of_a_lock_not_held(server):
    # Upstream prints nothing and keeps waiting forever; ours reports the
    # server's refusal and exits 1 (listed in docs/ovsdb-client.md).
    r = run([ours(), "unlock", server.unix, "L9"], check=False, timeout=10)
    assert r.returncode == 1 and r.stdout == ""
    assert "unlock" in r.stderr and "error" in r.stderr


def test_wait_for_a_server_that_starts_later(tmp_path):
    s = OvsdbServer("ours", tmp_path / "late")
    s.create()
    waiters = [subprocess.Popen([ours(), "wait", s.unix, "Open_vSwitch", state],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for state in ("added", "connected")]
    time.sleep(1.0)
    for p in waiters:
        assert p.poll() is None   # no server yet: still waiting
    with s:
        for p in waiters:
            assert p.wait(15) == 0
        # A database the server does not have: waits until the timeout.
        for impl in ("debian", "ours"):
            r = run([exe(impl), "--timeout=2", "wait", s.unix, "Nodb", "added"], check=False,
                    timeout=20)
            assert r.returncode == -signal.SIGALRM, (impl, r)
            r = run([exe(impl), "wait", s.unix, "Nodb", "removed"], check=False, timeout=20)
            assert r.returncode == 0, (impl, r)


def test_backup_and_restore(tmp_path):
    with OvsdbServer("ours", tmp_path / "a") as a:
        vsctl(a, "init", "--", "add-br", "br0", "--", "add-port", "br0", "p1", "--",
              "set-manager", "ssl:10.0.0.1:6632", "--", "set", "bridge", "br0",
              "other_config:hwaddr=00:11:22:33:44:55")
        before = run([ours(), "dump", a.unix]).stdout
        backup = tmp_path / "backup.db"
        with open(backup, "wb") as f:
            subprocess.run([ours(), "backup", a.unix], stdout=f, check=True)
        # The backup is our SQLite file: readable with sqlite3 and our ovsdb-tool.
        con = sqlite3.connect(backup)
        assert [r[0] for r in con.execute("SELECT name FROM Bridge")] == ["br0"]
        con.close()
        assert run([build_path("utilities/ovsdb-tool"), "db-name", str(backup)]).stdout == \
            "Open_vSwitch\n"
        # Change everything, then restore: the old contents come back exactly.
        vsctl(a, "del-br", "br0", "--", "add-br", "brX", "--", "del-manager")
        with open(backup, "rb") as f:
            r = subprocess.run([ours(), "restore", a.unix], stdin=f, capture_output=True)
        assert r.returncode == 0, r.stderr
        assert run([ours(), "dump", a.unix]).stdout == before
        assert vsctl(a, "list-br").stdout == "br0\n"
        # Into a second, empty server too.
        with OvsdbServer("ours", tmp_path / "b") as b:
            with open(backup, "rb") as f:
                subprocess.run([ours(), "restore", b.unix], stdin=f, check=True)
            assert run([ours(), "dump", b.unix]).stdout == before
            # A file that is not a database: refused, nothing changed.
            junk = tmp_path / "junk"
            junk.write_bytes(b"not a database\n" * 100)
            with open(junk, "rb") as f:
                r = subprocess.run([ours(), "restore", b.unix], stdin=f, capture_output=True,
                                   text=True)
            assert r.returncode == 1 and "cannot read the backup" in r.stderr
            assert run([ours(), "dump", b.unix]).stdout == before


def test_restore_refuses_another_schema_unless_forced(tmp_path):
    schema = json.loads(SCHEMA.read_text())
    schema["version"] = "8.3.2"
    schema["tables"]["Bridge"]["columns"]["extra"] = {"type": {"key": "string", "min": 0}}
    newer = tmp_path / "newer.ovsschema"
    newer.write_text(json.dumps(schema))
    with OvsdbServer("ours", tmp_path / "old") as old:
        vsctl(old, "init", "--", "add-br", "br0")
        backup = tmp_path / "old.db"
        with open(backup, "wb") as f:
            subprocess.run([ours(), "backup", old.unix], stdout=f, check=True)
    with OvsdbServer("ours", tmp_path / "new", schema=newer) as new:
        with open(backup, "rb") as f:
            r = subprocess.run([ours(), "restore", new.unix], stdin=f, capture_output=True,
                               text=True)
        assert r.returncode == 1
        assert 'backup schema has version "8.3.1" but database schema has version "8.3.2"' in r.stderr
        assert run([ours(), "dump", new.unix, "Open_vSwitch", "Bridge", "name"]).stdout.count("br0") == 0
        with open(backup, "rb") as f:
            r = subprocess.run([ours(), "--force", "restore", new.unix], stdin=f,
                               capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "br0" in run([ours(), "dump", new.unix, "Open_vSwitch", "Bridge", "name"]).stdout


def test_over_tcp_and_ssl(tmp_path, pki):
    port = free_port()
    with OvsdbServer("ours", tmp_path / "ssl", extra_args=[
            f"--remote=pssl:{port}:127.0.0.1", f"--private-key={pki['server-key']}",
            f"--certificate={pki['server-chain']}", f"--ca-cert={pki['ca']}"]) as s:
        wait_for(lambda: tcp_listening(port), what="pssl listener")
        vsctl(s, "init", "--", "add-br", "br0")
        both("dump", s.tcp, "Open_vSwitch", "Bridge", "name")
        good = [f"--private-key={pki['client-key']}", f"--certificate={pki['client-cert']}",
                f"--ca-cert={pki['ca']}"]
        both(*good, "dump", f"ssl:127.0.0.1:{port}", "Open_vSwitch", "Bridge", "name")
        # A client trusting another CA never gets an answer.
        wrong = good[:2] + [f"--ca-cert={pki['ca2']}"]
        r = run([ours(), "--timeout=2"] + wrong + ["list-dbs", f"ssl:127.0.0.1:{port}"],
                check=False, timeout=20)
        assert r.returncode != 0 and r.stdout == ""
        # Bootstrap: no CA file yet; the client saves the server's CA and goes on.
        ca_file = tmp_path / "bootstrap-ca.pem"
        r = run([ours(), "--timeout=5"] + good[:2] + [f"--bootstrap-ca-cert={ca_file}",
                "list-dbs", f"ssl:127.0.0.1:{port}"], check=False, timeout=20)
        assert ca_file.exists() and "BEGIN CERTIFICATE" in ca_file.read_text()
        r = run([ours(), "--timeout=5"] + good[:2] + [f"--bootstrap-ca-cert={ca_file}",
                "list-dbs", f"ssl:127.0.0.1:{port}"], check=False, timeout=20)
        assert r.returncode == 0 and "Open_vSwitch" in r.stdout, r.stderr


def test_help_and_version():
    r = run([ours(), "--help"])
    for cmd in ("list-dbs", "get-schema", "get-schema-version", "list-tables", "list-columns",
                "transact", "query", "dump", "monitor", "monitor-cond", "lock", "steal",
                "unlock", "wait", "backup", "restore", "--format", "--timestamp",
                "--private-key", "--bootstrap-ca-cert", "--timeout"):
        assert cmd in r.stdout, cmd
    assert run([ours(), "--version"]).stdout.startswith("ovsdb-client (vswitch) ")
    r = run([ours(), "--frobnicate"], check=False)
    assert r.returncode == 1 and "frobnicate" in r.stderr
