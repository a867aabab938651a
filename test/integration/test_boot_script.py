"""packaging/openvswitch.init on the host, under a scratch root (OVS_ROOT).

The host cannot load kernel modules, so here the script's view of
/proc/modules (OVS_PROC_MODULES) is a file saying openvswitch_mod is loaded:
step 1 then has nothing to do.  Loading, refusing and missing modules are
tested for real in the VM (test/vm/test_boot_script_vm.py).  Everything else
is real: our ovsdb-server, ovsdb-tool and ovs-vsctl laid out as the RPM
installs them, checked with Debian's ovs-vsctl.

Without vswitchd in the tree the script must stop at step 4 with a clear
error (exit 5, LSB "not installed") after steps 2 and 3 are done; that is how
the database steps are tested on their own.  The full sequence with our
vswitchd runs when it is built.
"""
import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from boot_tree import BootTree, stale_boot_ops, vswitchd_built
from harness import SCHEMA, free_port, run, tcp_listening, wait_for


@pytest.fixture
def scratch():
    # Short paths: unix socket names are limited to 107 bytes.
    d = Path(tempfile.mkdtemp(prefix="ovsb-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def make_tree(scratch, vswitchd=False):
    tree = BootTree(scratch / "root").from_build(vswitchd=vswitchd)
    modules = scratch / "proc-modules"
    modules.write_text("openvswitch_mod 200704 0 - Live 0x0000000000000000\n")
    tree.env["OVS_PROC_MODULES"] = str(modules)
    return tree


@pytest.fixture
def tree(scratch):
    t = make_tree(scratch)
    yield t
    t.kill_all()


@pytest.fixture
def full_tree(scratch):
    if not vswitchd_built():
        pytest.skip("vswitchd is not built yet (build/vswitchd/vswitchd): the full start sequence waits on it")
    t = make_tree(scratch, vswitchd=True)
    yield t
    t.kill_all()


def start_without_vswitchd(tree):
    rc, out = tree.script("start")
    assert rc == 5, out
    assert "vswitchd is not installed" in out, out
    assert tree.alive("ovsdb-server"), out
    return out


def column(tree, table, record, col):
    return tree.vsctl("get", table, record, col).stdout.strip()


def served_version(tree):
    """The schema version of the database the tree's ovsdb-server serves."""
    return run(["ovsdb-client", "get-schema-version", f"unix:{tree.sock}", "Open_vSwitch"]).stdout.strip()


# --- steps 2 and 3 ------------------------------------------------------------

def test_first_start_creates_the_database(tree):
    assert not tree.db.exists()
    out = start_without_vswitchd(tree)
    assert f"creating database {tree.db}" in out
    # The steps are logged in order and step 4 is the one that failed.
    assert out.index("creating database") < out.index("starting ovsdb-server") \
        < out.index("ovs-vsctl --no-wait init") < out.index("vswitchd is not installed")
    # (The running server keeps the file locked: ask it over its socket.)
    assert served_version(tree) == json.loads(SCHEMA.read_text())["version"]
    assert tree.vsctl("list-br").stdout == ""
    assert column(tree, "Open_vSwitch", ".", "next_cfg") == "0"
    # Our ovs-vsctl works on the socket too, and the log file is where it should be.
    assert tree.vsctl("show", impl="ours").returncode == 0
    assert (tree.root / "var/log/openvswitch/ovsdb-server.log").exists()
    # The control socket is in the run directory under the name ovs-appctl looks for.
    pid = tree.pid("ovsdb-server")
    assert (tree.rundir / f"ovsdb-server.{pid}.ctl").exists()
    run(["ovs-appctl", "-t", str(tree.rundir / f"ovsdb-server.{pid}.ctl"), "version"])


def test_stale_bridges_go_and_the_manager_stays(tree):
    port = free_port()
    tree.create_db()
    tree.transact(*stale_boot_ops(f"ptcp:{port}:127.0.0.1"))
    assert "xenbr0" in tree.tool("query", tree.db, json.dumps(
        ["Open_vSwitch", {"op": "select", "table": "Bridge", "where": []}])).stdout

    out = start_without_vswitchd(tree)
    assert "deleting the bridges left from before: xapi1 xenbr0" in out, out
    assert tree.vsctl("list-br").stdout == ""
    for table in ("Bridge", "Port", "Interface"):
        assert tree.vsctl("--columns=_uuid", "list", table).stdout.strip() == "", table
    # Managers and the other settings are kept, and the manager is in use.
    assert tree.vsctl("get-manager").stdout.strip() == f"ptcp:{port}:127.0.0.1"
    assert column(tree, "Manager", f"ptcp:{port}:127.0.0.1", "inactivity_probe") == "30000"
    assert column(tree, "Open_vSwitch", ".", "external_ids:system-id") == 'host-1'
    assert column(tree, "Open_vSwitch", ".", "other_config:vlan-limit") == '"2"'
    wait_for(lambda: tcp_listening(port), what=f"the manager remote ptcp:{port}")
    assert run(["ovs-vsctl", f"--db=tcp:127.0.0.1:{port}", "--timeout=10", "get-manager"]).returncode == 0


def test_bridges_kept_when_asked(tree):
    tree.create_db()
    tree.transact(*stale_boot_ops(f"ptcp:{free_port()}:127.0.0.1"))
    tree.sysconfig(DELETE_BRIDGES_ON_START="no")
    out = start_without_vswitchd(tree)
    assert "keeping the configured bridges" in out
    assert tree.vsctl("list-br").stdout.split() == ["xapi1", "xenbr0"]


def test_ssl_settings_come_from_the_ssl_table(tree, pki):
    port = free_port()
    tree.create_db()
    tree.transact(
        {"op": "insert", "table": "SSL", "uuid-name": "s",
         "row": {"private_key": pki["server-key"], "certificate": pki["server-cert"],
                 "ca_cert": pki["ca"]}},
        {"op": "insert", "table": "Manager", "uuid-name": "m", "row": {"target": f"pssl:{port}:127.0.0.1"}},
        {"op": "insert", "table": "Open_vSwitch",
         "row": {"ssl": ["named-uuid", "s"], "manager_options": ["named-uuid", "m"]}})
    start_without_vswitchd(tree)
    wait_for(lambda: tcp_listening(port), what="the pssl manager remote")
    ssl = ["ovs-vsctl", f"--db=ssl:127.0.0.1:{port}", "--timeout=10", "--no-wait"]
    p = run(ssl + ["-p", pki["client-key"], "-c", pki["client-cert"], "-C", pki["ca"], "get-ssl"])
    assert pki["server-cert"] in p.stdout
    # A client whose certificate another CA signed is refused.
    p = run(ssl + ["-p", pki["rogue-key"], "-c", pki["rogue-cert"], "-C", pki["ca"], "get-ssl"],
            check=False)
    assert p.returncode != 0


def older_schema(path):
    """Our schema as an older version: one column fewer, version 8.2.0."""
    s = json.loads(SCHEMA.read_text())
    s["version"] = "8.2.0"
    s.pop("cksum", None)
    del s["tables"]["Open_vSwitch"]["columns"]["dpdk_initialized"]
    path.write_text(json.dumps(s, indent=1))
    return path


def backup_files(tree):
    """The backups beside the database (without SQLite's -wal and -shm files)."""
    return sorted(p for p in tree.db.parent.glob("conf.db.backup*")
                  if not p.name.endswith(("-wal", "-shm")))


def test_older_database_is_backed_up_and_converted(tree, scratch):
    old = older_schema(scratch / "old.ovsschema")
    tree.create_db(old)
    port = free_port()
    tree.transact(*stale_boot_ops(f"ptcp:{port}:127.0.0.1", bridges=("xenbr0",)))
    before = {p.name: p.read_bytes() for p in tree.db.parent.iterdir()
              if p.name == "conf.db" or (p.name == "conf.db-wal" and p.stat().st_size)}

    out = start_without_vswitchd(tree)
    new_version = json.loads(SCHEMA.read_text())["version"]
    assert f"converting {tree.db} from schema 8.2.0 to {new_version}" in out, out
    backups = backup_files(tree)
    assert len(backups) == 1, list(tree.db.parent.iterdir())
    assert backups[0].name.startswith("conf.db.backup8.2.0-")
    assert f"kept as {backups[0]}" in out
    # The backup is the old database (with SQLite's write-ahead log, when the
    # database had one), unchanged and readable.
    wal = Path(str(backups[0]) + "-wal")
    assert backups[0].read_bytes() == before["conf.db"]
    assert wal.exists() == ("conf.db-wal" in before)
    if wal.exists():
        assert wal.read_bytes() == before["conf.db-wal"]
    assert tree.tool("db-version", backups[0]).stdout.strip() == "8.2.0"
    # The live one has the installed schema, and its settings.
    assert served_version(tree) == new_version
    assert tree.vsctl("get-manager").stdout.strip() == f"ptcp:{port}:127.0.0.1"
    assert column(tree, "Open_vSwitch", ".", "dpdk_initialized") == "false"

    # The next start does not convert again.
    assert tree.script("stop")[0] == 0
    out = start_without_vswitchd(tree)
    assert "converting" not in out
    assert backup_files(tree) == backups


def test_unreadable_database_is_left_alone(tree):
    tree.db.parent.mkdir(parents=True)
    tree.db.write_bytes(b"this is not a database\n" * 10)
    before = tree.db.read_bytes()
    rc, out = tree.script("start")
    assert rc == 1, out
    assert f"cannot read {tree.db}" in out and "left untouched" in out, out
    assert tree.db.read_bytes() == before
    assert list(tree.db.parent.iterdir()) == [tree.db]
    assert not tree.alive("ovsdb-server")


def test_missing_schema_is_a_clear_error(tree):
    (tree.root / "usr/share/vswitch/vswitch.ovsschema").unlink()
    rc, out = tree.script("start")
    assert rc == 5, out
    assert "vswitch.ovsschema is missing" in out
    assert not tree.db.exists()


# --- status, stop, start again --------------------------------------------------

def test_status_and_stop_without_vswitchd(tree):
    rc, out = tree.script("status")
    assert rc == 3, out
    assert "ovsdb-server is not running" in out and "vswitchd is not running" in out
    start_without_vswitchd(tree)
    pid = tree.pid("ovsdb-server")
    rc, out = tree.script("status")
    assert rc == 3, out       # vswitchd is not running: the service is not up
    assert f"ovsdb-server is running with pid {pid}" in out
    assert "kernel module openvswitch_mod is loaded" in out

    rc, out = tree.script("stop")
    assert rc == 0, out
    assert f"stopping ovsdb-server (pid {pid})" in out
    wait_for(lambda: not tree.alive("ovsdb-server"), what="ovsdb-server to exit")
    assert not (tree.rundir / "ovsdb-server.pid").exists()
    assert tree.script("status")[0] == 3
    # Stopping a stopped service succeeds.
    rc, out = tree.script("stop")
    assert rc == 0 and "ovsdb-server is not running" in out


def test_dead_daemon_with_pidfile(tree):
    start_without_vswitchd(tree)
    pid = tree.pid("ovsdb-server")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not tree.alive("ovsdb-server"), what="ovsdb-server to die")
    rc, out = tree.script("status")
    assert rc == 1, out
    assert "ovsdb-server is dead but its pidfile" in out
    # A pidfile naming a live process of another program counts as dead too.
    (tree.rundir / "ovsdb-server.pid").write_text(f"{os.getpid()}\n")
    assert tree.script("status")[0] == 1
    # start recovers.
    start_without_vswitchd(tree)
    assert tree.pid("ovsdb-server") not in (pid, os.getpid())


def test_start_with_live_database_keeps_its_bridges(tree):
    start_without_vswitchd(tree)
    pid = tree.pid("ovsdb-server")
    tree.vsctl("add-br", "br-live")
    out = start_without_vswitchd(tree)
    assert "ovsdb-server is already running" in out and "keeping its bridges" in out
    assert tree.pid("ovsdb-server") == pid
    assert tree.vsctl("list-br").stdout.split() == ["br-live"]


def test_restart_deletes_bridges_again(tree):
    start_without_vswitchd(tree)
    tree.vsctl("add-br", "br-old")
    rc, out = tree.script("restart")
    assert rc == 5, out       # still no vswitchd
    assert "deleting the bridges left from before: br-old" in out
    assert tree.vsctl("list-br").stdout == ""


def test_usage_and_lsb_codes(tree):
    rc, out = tree.script("frobnicate")
    assert rc == 2 and "usage:" in out
    rc, out = tree.script("reload")
    assert rc == 7 and "not running" in out
    rc, out = tree.script("condrestart")
    assert rc == 0 and "nothing to restart" in out
    assert not tree.alive("ovsdb-server")
    rc, out = tree.script("--help")
    assert rc == 0 and "force-reload-kmod" in out


def test_sysconfig_settings_reach_the_daemons(tree, scratch):
    other = scratch / "elsewhere" / "my.db"
    tree.sysconfig(OVSDB_SERVER_DB=str(other), OVSDB_SERVER_LOGLEVEL='"-vfile:dbg"',
                   OVSDB_SERVER_OPTIONS=f'"--remote=ptcp:{free_port()}:127.0.0.1"')
    out = start_without_vswitchd(tree)
    assert other.exists() and not tree.db.exists()
    assert f"starting ovsdb-server on {other}" in out
    cmdline = Path(f"/proc/{tree.pid('ovsdb-server')}/cmdline").read_bytes().split(b"\0")
    assert b"-vfile:dbg" in cmdline
    assert any(a.startswith(b"--remote=ptcp:") for a in cmdline)
    pid = tree.pid("ovsdb-server")
    levels = run(["ovs-appctl", "-t", str(tree.rundir / f"ovsdb-server.{pid}.ctl"), "vlog/list"]).stdout
    # module  console  syslog  file
    rows = [line.split() for line in levels.splitlines()[2:] if line.strip()]
    assert rows and all(r[-1] == "DBG" for r in rows), levels


# --- the whole sequence, with our vswitchd ----------------------------------------

def test_full_start_with_vswitchd(full_tree):
    tree = full_tree
    tree.create_db()
    tree.transact(*stale_boot_ops(f"ptcp:{free_port()}:127.0.0.1"))
    # The host has no datapath module: without one vswitchd refuses to start,
    # and the script says so.
    rc, out = tree.script("start")
    assert rc == 1, out
    assert "ovs_datapath' not found" in out and "error: vswitchd did not start" in out, out
    assert tree.script("stop")[0] == 0
    # vswitchd's in-process dummy datapath here; the kernel's in the VM test.
    tree.sysconfig(VSWITCHD_OPTIONS="--dpif=dummy")
    rc, out = tree.script("start")
    assert rc == 0, out
    cmdline = Path(f"/proc/{tree.pid('vswitchd')}/cmdline").read_bytes().split(b"\0")
    assert b"--dpif=dummy" in cmdline
    pid = tree.pid("vswitchd")
    assert (tree.rundir / f"ovs-vswitchd.{pid}.ctl").exists()
    assert (tree.root / "var/log/openvswitch/ovs-vswitchd.log").exists()
    # ovs-appctl finds it by the name Open vSwitch's tools use.
    env = dict(os.environ, OVS_RUNDIR=str(tree.rundir))
    assert "vswitch" in run(["ovs-appctl", "-t", "ovs-vswitchd", "version"], env=env).stdout
    assert "vswitchd applied the configuration" in out
    assert tree.alive("ovsdb-server") and tree.alive("vswitchd")
    assert tree.vsctl("list-br").stdout == ""
    cur = column(tree, "Open_vSwitch", ".", "cur_cfg")
    assert cur == column(tree, "Open_vSwitch", ".", "next_cfg") and int(cur) > 0
    rc, out = tree.script("status")
    assert rc == 0, out
    # Twice is harmless: nothing restarts, nothing is deleted.
    pids = (tree.pid("ovsdb-server"), tree.pid("vswitchd"))
    rc, out = tree.script("start")
    assert rc == 0 and "already running" in out
    assert (tree.pid("ovsdb-server"), tree.pid("vswitchd")) == pids
    assert tree.script("reload")[0] == 0
    rc, out = tree.script("stop")
    assert rc == 0, out
    assert out.index("stopping vswitchd") < out.index("stopping ovsdb-server")
    assert not tree.alive("vswitchd") and not tree.alive("ovsdb-server")
