"""Our ovs-vsctl (utilities/ovs-vsctl) against Debian's, command by command.

The same command lines run through both tools against two servers in the
same state; stdout, stderr and exit status must match.  UUIDs, log time
stamps and the order of rows (hash order in Open vSwitch, UUID order in
ours; the tools promise no order) are normalised.  Then: our tool against
Debian's ovsdb-server, the wait for cur_cfg, and --timeout.
"""
import re
import threading
import time

import pytest

from harness import DEBIAN, OvsdbServer, build_path, run

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LOG_RE = re.compile(r"^\S+\|\d+\|", re.M)

# (args, whether row order may differ)
SCRIPT = [
    ("init", False), ("show", False), ("add-br br0", False), ("add-br br0", False),
    ("--may-exist add-br br0", False), ("add-br br1 br0 10", False), ("--may-exist add-br br1 br0 11", False),
    ("add-br br2 br1 5", False), ("list-br", False), ("list-br --real", False), ("list-br --fake", False),
    ("br-to-vlan br1", False), ("br-to-parent br1", False), ("br-exists br0", False), ("br-exists nope", False),
    ("add-port br0 p1 tag=5", False), ("add-port br1 p2", False), ("add-port br0 p1", False),
    ("--may-exist add-port br1 p1", False), ("add-bond br0 bond0 e1 e2 lacp=active", False),
    ("add-bond br0 bond1 e3", False), ("add-bond-iface bond0 e3", False), ("del-bond-iface bond0 e3", False),
    ("list-ports br0", False), ("list-ports br1", False), ("list-ifaces br0", False), ("port-to-br p2", False),
    ("iface-to-br e1", False), ("del-port p9", False), ("--if-exists del-port p9", False), ("del-port br0 p2", False),
    ("del-port br0", False), ("--with-iface del-port e2", False),
    ("set-controller br0 tcp:1.2.3.4:6633", False), ("get-controller br0", False), ("get-controller br1", False),
    ("set-controller br1 tcp:1.1.1.1", False), ("--inactivity-probe=3000 set-controller br0 ptcp:6634", False),
    ("get controller br0 inactivity_probe", False), ("del-controller br0", False), ("get-controller br0", False),
    ("set-fail-mode br0 secure", False), ("get-fail-mode br0", False), ("get-fail-mode br1", False),
    ("set-fail-mode br0 bogus", False), ("del-fail-mode br0", False), ("get-fail-mode br0", False),
    ("set-manager ptcp:6640 tcp:127.0.0.1:6632", False), ("get-manager", False), ("del-manager", False),
    ("set-manager ssl:10.0.0.1:6632", False), ("set-ssl /k /c /ca", False), ("get-ssl", False),
    ("--bootstrap set-ssl /k /c /ca", False), ("get-ssl", False),
    ("br-set-external-id br0 foo bar", False), ("br-get-external-id br0", False),
    ("br-get-external-id br0 foo", False), ("br-set-external-id br1 foo baz", False),
    ("br-get-external-id br1", False), ("br-set-external-id br0 foo", False), ("br-get-external-id br0", False),
    ("show", True), ("list bridge br0", False), ("--columns=name,fail_mode,other_config list bridge", True),
    ("--format=table --columns=name,tag list port", True), ("--format=csv --columns=name,tag,trunks list port", True),
    ("--format=json --columns=name,tag list port p1", False), ("--format=html --columns=name,tag list port p1", False),
    ("--bare --columns=name find port tag=5", False), ("--columns=name find port tag>=5", True),
    ("--columns=name find interface type=internal", True), ("--no-headings --columns=name list bridge br0", False),
    ("--data=json --columns=name,other_config list bridge br0", False),
    ("--format=json --pretty --columns=name list bridge br0", False),
    ("get bridge br0 name fail_mode controller", False), ("get bridge br0 other_config:x", False),
    ("--if-exists get bridge br0 other_config:x", False), ("get bridge br0 _uuid", False),
    ("set bridge br0 other_config:a=1 other_config:b=\"x y\"", False), ("get bridge br0 other_config", False),
    ("set bridge br0 other_config={c=3,d=4}", False), ("get bridge br0 other_config:c", False),
    ("add bridge br0 flood_vlans 1 2 3", False), ("remove bridge br0 flood_vlans 2", False),
    ("remove bridge br0 other_config c", False), ("remove bridge br0 other_config d=4", False),
    ("get bridge br0 flood_vlans other_config", False), ("clear bridge br0 flood_vlans", False),
    ("clear port p1 interfaces", False), ("set port p1 trunks=1-5,10", False), ("get port p1 trunks", False),
    ("set port p1 tag=9999", False), ("set bridge br0 stp_enable=maybe", False), ("set bridge br0 name=x", False),
    ("get port p1 nonexistent", False), ("set nosuchtable x y=z", False), ("list bri", False), ("list b", False),
    ("-- --id=@m create Manager target=\"ptcp:7000\" -- add Open_vSwitch . manager_options @m", False),
    ("get-manager", False), ("create Bridge name=zz", False), ("-- --id=@y create Mirror name=m1", False),
    ("-- set bridge br0 mirrors=@z", False),
    ("-- --id=@nf create NetFlow targets=\"1.2.3.4:5\" -- set bridge br0 netflow=@nf", False),
    ("get netflow br0 targets", False), ("--if-exists destroy Manager nomatch", False),
    ("destroy Manager nomatch", False), ("--dry-run add-br br5", False), ("list-br", False),
    ("wait-until bridge br0 name=br0", False), ("--oneline list-br -- br-to-vlan br1", False),
    ("emer-reset", False), ("show", True), ("get bridge br0 other_config netflow", False),
    ("del-br br1", False), ("list-br", False), ("del-br br0", False), ("--if-exists del-br br0", False),
    ("list-br", False), ("frob", False), ("add-br", False), ("add-port br9 x", False), ("--frob list-br", False),
    ("add-br br0 -- add-port br0 p1 -- add-port br0 p1", False), ("list-br", False),
]


def normalise(text, any_order):
    text = UUID_RE.sub("<uuid>", text)
    text = LOG_RE.sub("<log>|", text)
    text = text.replace(DEBIAN["ovs-vsctl"], "ovs-vsctl")
    if any_order:
        text = "\n".join(sorted(text.splitlines()))
    return text


def vsctl_run(impl, server, args, wait=False, check=False):
    exe = DEBIAN["ovs-vsctl"] if impl == "debian" else build_path("utilities/ovs-vsctl")
    cmd = [exe, f"--db={server.unix}"] + ([] if wait else ["--no-wait"]) + args
    return run(cmd, check=check, timeout=60)


@pytest.mark.parametrize("server_impl", ["ours", "debian"])
def test_same_outputs_as_debians_ovs_vsctl(server_impl, tmp_path):
    import shlex
    with OvsdbServer(server_impl, tmp_path / "a") as a, OvsdbServer(server_impl, tmp_path / "b") as b:
        diffs = []
        for line, any_order in SCRIPT:
            args = shlex.split(line)
            theirs = vsctl_run("debian", a, args)
            ours = vsctl_run("ours", b, args)
            want = (theirs.returncode, normalise(theirs.stdout, any_order), normalise(theirs.stderr, any_order))
            got = (ours.returncode, normalise(ours.stdout, any_order), normalise(ours.stderr, any_order))
            if want != got:
                diffs.append(f"$ ovs-vsctl {line}\nDebian: {want!r}\nours:   {got!r}")
        assert not diffs, "\n\n".join(diffs)


def test_waits_for_the_switch_to_apply_the_change(tmp_path):
    with OvsdbServer("ours", tmp_path / "db") as s:
        vsctl_run("debian", s, ["init"], check=True)
        stop = threading.Event()

        def fake_switch():
            # Plays the switch daemon's part: copies next_cfg to cur_cfg, late.
            while not stop.is_set():
                n = vsctl_run("debian", s, ["get", "Open_vSwitch", ".", "next_cfg"]).stdout.strip()
                time.sleep(0.3)
                vsctl_run("debian", s, ["set", "Open_vSwitch", ".", f"cur_cfg={n}"])
        t = threading.Thread(target=fake_switch, daemon=True)
        t.start()
        try:
            t0 = time.monotonic()
            r = vsctl_run("ours", s, ["--timeout=10", "add-br", "br0"], wait=True)
            assert r.returncode == 0, r.stderr
            assert time.monotonic() - t0 >= 0.25   # it did wait for the copy
            cfg = vsctl_run("debian", s, ["get", "Open_vSwitch", ".", "cur_cfg", "next_cfg"]).stdout.split()
            assert int(cfg[0]) >= int(cfg[1])
            # No switch daemon set ofport: reported as Open vSwitch does.
            assert "Error detected while setting up 'br0'" in r.stderr
        finally:
            stop.set()
            t.join()


def test_timeout_without_a_switch_ends_like_debians(tmp_path):
    with OvsdbServer("ours", tmp_path / "db") as s:
        for impl in ("debian", "ours"):
            t0 = time.monotonic()
            r = vsctl_run(impl, s, ["--timeout=1", "add-br", f"br-{impl}"], wait=True)
            assert r.returncode == -14, (impl, r)   # killed by SIGALRM
            assert "terminating with signal 14 (Alarm clock)" in r.stderr
            assert time.monotonic() - t0 < 5
        # Read-only commands do not wait.
        r = vsctl_run("ours", s, ["--timeout=1", "list-br"], wait=True)
        assert r.returncode == 0 and r.stdout.split() == ["br-debian", "br-ours"]


def test_connection_failures_are_reported(tmp_path):
    for impl in ("debian", "ours"):
        exe = DEBIAN["ovs-vsctl"] if impl == "debian" else build_path("utilities/ovs-vsctl")
        r = run([exe, f"--db=unix:{tmp_path}/absent.sock", "show"], check=False)
        assert r.returncode == 1
        assert r.stderr.strip() == f"ovs-vsctl: unix:{tmp_path}/absent.sock: database connection failed (No such file or directory)"
