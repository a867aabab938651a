"""More command lines through our ovs-vsctl and Debian's, side by side.

Complements test_ovs_vsctl_ours.py (the coordinator's list) with output
options and database commands it does not cover.  Each line runs through
both tools against two servers in the same state (built by Debian's tool),
once with our ovsdb-server and once with Debian's; stdout, stderr and exit
status must match after normalising UUIDs, log time stamps and the program
path.  Lines marked True may list rows in any order (neither tool promises one).
"""
import os
import re
import shlex

import pytest

from harness import DEBIAN, OvsdbServer, build_path, run

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LOG_RE = re.compile(r"^\S+\|\d+\|", re.M)

SETUP = ["init", "add-br br0", "add-br br1", "add-br v10 br0 10", "add-port br0 p1 tag=5",
         "add-port br0 p2 trunks=1,2,3", "add-bond br1 b0 e1 e2", "set bridge br0 other_config:k=v",
         "set-manager ptcp:6640 tcp:127.0.0.1:6641"]

SCRIPT = [
    ("--format=list --columns=name,tag list port p1", False),
    ("--data=bare --columns=name,trunks list port p2", False),
    ("--data=string --columns=name,other_config list bridge br0", False),
    ("--bare --columns=name,tag list port p1", False),
    ("--format=csv --data=json --columns=name,trunks list port p2", False),
    ("--format=json --data=bare --columns=name,trunks list port p2", False),
    ("--format=html --data=string --columns=name list bridge br0", False),
    ("--format=table --no-headings --columns=name,tag list port p1", False),
    ("--columns=_uuid,name list bridge br0", False),
    ("--columns=name,nosuch list bridge br0", False),
    ("--format=xml list bridge", False),
    ("--data=frob list bridge", False),
    ("--bare --columns=name find port trunks{>=}2", False),
    ("--bare --columns=name find port trunks=[]", True),
    ("--bare --columns=name find bridge other_config:k=v", False),
    ("--bare --columns=target list manager", True),
    ("get-manager", True),
    ("get Open_vSwitch . manager_options", False),
    ("get bridge br0 other_config:k", False),
    ("get bridge br0 other_config:nope", False),
    ("get port p1 tag -- get port p2 trunks", False),
    ("--oneline get port p1 tag -- get port p2 trunks", False),
    ("--oneline list-ports br0", False),
    ("--id=@q create QoS type=linux-htb -- set port p1 qos=@q", False),
    ("--bare --columns=type list qos", False),
    ("create Queue other_config:max-rate=100", False),
    ("--all destroy Queue", False),
    ("--bare --columns=_uuid list queue", False),
    ("destroy QoS", False),
    ("--if-exists clear port p9 tag", False),
    ("clear port p9 tag", False),
    ("set port p1 tag=4096", False),
    ("set port p1 tag=x", False),
    ("add port p1 trunks 7 8", False),
    ("get port p1 trunks", False),
    ("remove port p1 trunks 7", False),
    ("get port p1 trunks", False),
    ("wait-until port p1 tag=5", False),
    ("--timeout=1 wait-until port p1 tag=6", False),
    ("wait-until bridge br0 other_config:k=v", False),
    ("br-to-vlan v10", False), ("br-to-parent v10", False), ("br-to-vlan br0", False),
    ("list-ports v10", False), ("add-port v10 pv", False), ("port-to-br pv", False), ("get port pv tag", False),
    ("list-ifaces br1", False), ("iface-to-br e2", False), ("iface-to-br nope", False),
    ("del-port br1 b0", False), ("list-ifaces br1", False),
    ("--dry-run del-br br0", False), ("list-br", False),
    ("add-br br1 -- del-br br0", False), ("list-br", False),
    ("set-ssl /k /c /ca -- del-ssl", False), ("get-ssl", False),
    ("emer-reset", False), ("get-manager", False), ("--bare --columns=other_config list bridge br0", False),
    ("--retry list-br", False),
    ("--columns=name list bridge br0 br1", True),
]


def normalise(text, any_order):
    text = UUID_RE.sub("<uuid>", text)
    text = LOG_RE.sub("<log>|", text)
    text = text.replace(DEBIAN["ovs-vsctl"], "ovs-vsctl")
    text = text.replace(build_path("utilities/ovs-vsctl"), "ovs-vsctl")
    if any_order:
        text = "\n".join(sorted(text.splitlines()))
    return text


def tool(impl):
    return DEBIAN["ovs-vsctl"] if impl == "debian" else build_path("utilities/ovs-vsctl")


@pytest.mark.parametrize("server_impl", ["ours", "debian"])
def test_more_outputs_match_debians(server_impl, tmp_path):
    if not os.access(tool("ours"), os.X_OK):
        pytest.fail("our ovs-vsctl is not built")
    with OvsdbServer(server_impl, tmp_path / "a") as a, OvsdbServer(server_impl, tmp_path / "b") as b:
        for s in (a, b):
            for line in SETUP:
                run([DEBIAN["ovs-vsctl"], f"--db={s.unix}", "--no-wait"] + shlex.split(line))
        diffs = []
        for line, any_order in SCRIPT:
            args = shlex.split(line)
            r = {impl: run([tool(impl), f"--db={srv.unix}", "--no-wait"] + args, check=False, timeout=60)
                 for impl, srv in (("debian", a), ("ours", b))}
            want, got = [(x.returncode, normalise(x.stdout, any_order), normalise(x.stderr, any_order))
                         for x in (r["debian"], r["ours"])]
            if want != got:
                diffs.append(f"$ ovs-vsctl {line}\nDebian: {want!r}\nours:   {got!r}")
        assert not diffs, "\n\n".join(diffs)
