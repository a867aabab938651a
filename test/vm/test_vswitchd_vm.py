"""Our vswitchd on a real kernel datapath, inside the VM test bed.

Run twice: against Debian's openvswitch.ko and against our openvswitch_mod
(one boot each).  Our ovsdb-server and our vswitchd (--dpif=netlink), driven
by Debian's ovs-vsctl WITHOUT --no-wait and Debian's ovs-appctl/ovs-dpctl
with their default targets; network namespaces hang off the bridge through
veth pairs, and pings prove forwarding: across the bridge, isolated between
two VLANs, stopped by deleting a port; fdb/show lists the learned MACs and
ovs-dpctl dump-flows shows the megaflows.  Restarts: vswitchd killed with
-9 during traffic and started again (it adopts the datapath: traffic keeps
flowing), ovsdb-server killed and started again.
"""
import os
import re
import shlex
from pathlib import Path

import pytest

from vm import VM

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("VSWITCH_BUILD_DIR", REPO / "build"))

PRELUDE = f"""
B={shlex.quote(str(BUILD))}
S=/tmp/vs
export OVS_RUNDIR=$S OVS_LOGDIR=$S OVS_DBDIR=$S
VSCTL="ovs-vsctl --timeout=30"
start_db() {{
  $B/ovsdb-server/ovsdb-server $S/conf.db --remote=punix:$S/db.sock --pidfile --detach --log-file --no-chdir
}}
start_sw() {{
  $B/vswitchd/vswitchd --pidfile --detach --log-file --no-chdir -vconsole:off
}}
# ns N [IP]: namespace nsN with veth vN (switch side) <-> vNp (10.0.0.N/24)
ns() {{
  ip netns add ns$1
  ip link add v$1 type veth peer name v$1p
  ip link set v$1p netns ns$1
  ip -n ns$1 addr add 10.0.0.$1/24 dev v$1p
  ip -n ns$1 link set v$1p up
  ip -n ns$1 link set lo up
  ip netns exec ns$1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  sysctl -qw net.ipv6.conf.v$1.disable_ipv6=1
  ip link set v$1 up
}}
# ping A B: 0 when nsA reaches 10.0.0.B
ping_ok() {{ ip netns exec ns$1 busybox ping -c 2 -W 2 10.0.0.$2 >/dev/null 2>&1; }}
# reach A B: a single short try, for pairs that are expected not to reach
reach() {{ ip netns exec ns$1 busybox ping -c 1 -W 1 10.0.0.$2 >/dev/null 2>&1; }}
nsmac() {{ cat /sys/class/net/v$1p/address 2>/dev/null || ip netns exec ns$1 cat /sys/class/net/v$1p/address; }}
"""


@pytest.fixture(scope="module", params=["openvswitch", "openvswitch_mod"])
def vm(request):
    for p in ("ovsdb-server/ovsdb-server", "utilities/ovsdb-tool", "vswitchd/vswitchd"):
        if not (BUILD / p).exists():
            pytest.fail(f"{BUILD / p} is not built")
    if request.param == "openvswitch":
        machine = VM(modules=["openvswitch", "veth"])
    else:
        kmod = request.getfixturevalue("kmod")
        machine = VM(modules=["veth"], extra_files=[str(kmod)], ko_files=[str(kmod)])
    with machine as m:
        m.datapath = request.param
        yield m


def sh(vm, script, timeout=180, check=True):
    rc, out = vm.run(PRELUDE + script, timeout=timeout)
    if check:
        assert rc == 0, f"rc={rc}\n{out}"
    return out


@pytest.fixture
def switch(vm):
    """A fresh database, our ovsdb-server and our vswitchd; torn down after."""
    sh(vm, """
mkdir -p $S
$B/utilities/ovsdb-tool create $S/conf.db $B/../schemas/vswitch.ovsschema 2>/dev/null ||
  $B/utilities/ovsdb-tool create $S/conf.db /work/main/schemas/vswitch.ovsschema
start_db && ovs-vsctl --no-wait init && start_sw
""")
    yield vm
    out = sh(vm, """
ovs-appctl exit --cleanup 2>/dev/null
[ -f $S/ovsdb-server.pid ] && kill $(cat $S/ovsdb-server.pid) 2>/dev/null
sleep 0.3
for n in $(ip netns list | cut -d' ' -f1); do ip netns del $n; done
for l in $(ls /sys/class/net | grep '^v[0-9]'); do ip link del $l 2>/dev/null; done
echo ---log; cat $S/ovs-vswitchd.log
echo ---dps; ovs-dpctl dump-dps 2>&1 | grep -v INFO
rm -rf $S
""", check=False)
    assert "|EMER|" not in out
    assert out.split("---dps")[1].strip() == "", out


def iface(vm, name, col):
    return sh(vm, f"$VSCTL get Interface {name} {col}").strip().strip('"')


def test_ping_fdb_megaflows_status_missing_and_deleted_ports(switch):
    vm = switch
    out = sh(vm, """
ns 1; ns 2
$VSCTL add-br br0 -- add-port br0 v1 -- add-port br0 v2 -- add-port br0 v9 2>&1
ping_ok 1 2 && echo ping12=ok
echo ---fdb; ovs-appctl fdb/show br0
echo ---flows; ovs-dpctl dump-flows system@br0 2>&1 | grep -v '|INFO|'
echo ---show; ovs-dpctl show br0
echo ---dpif; ovs-appctl dpif/show
echo ---v9; $VSCTL get Interface v9 ofport error
echo ---macs; nsmac 1; nsmac 2; cat /sys/class/net/v1/address /sys/class/net/v1/ifindex /sys/class/net/br0/address
""")
    assert "Error detected while setting up 'v9'" in out, out
    assert "ping12=ok" in out, out
    macs = out.split("---macs")[1].split()
    m1, m2, v1mac, v1ifindex, brmac = macs[0], macs[1], macs[2], int(macs[3]), macs[4]
    fdb = out.split("---fdb")[1].split("---flows")[0]
    assert fdb.splitlines()[1] == " port  VLAN  MAC                Age"
    assert re.search(rf"^\s+1\s+0\s+{m1}\s+\d+$", fdb, re.M), fdb
    assert re.search(rf"^\s+2\s+0\s+{m2}\s+\d+$", fdb, re.M), fdb
    flows = out.split("---flows")[1].split("---show")[0]
    # Megaflows on L2 only, with the datapath's counters.
    assert re.search(rf"in_port\(1\),eth\(src={m1},dst={m2}\), packets:\d+, bytes:\d+, used:\S+, actions:2",
                     flows), flows
    assert re.search(rf"in_port\(2\),eth\(src={m2},dst={m1}\),.*actions:1", flows), flows
    assert "ipv4" not in flows
    show = out.split("---show")[1].split("---dpif")[0]
    assert re.search(r"port 0: br0 \(internal\)", show) and "port 1: v1" in show and "port 2: v2" in show
    dpif = out.split("---dpif")[1].split("---v9")[0]
    assert "system@br0:" in dpif and "v1 1/1: (system)" in dpif and "br0 65534/0: (internal)" in dpif
    assert out.split("---v9")[1].split("---macs")[0].split("\n")[1:3] == [
        "-1", '"could not open network device v9 (No such device)"'], out

    st = sh(vm, "$VSCTL --columns=ofport,link_state,admin_state,mac_in_use,ifindex,link_speed,error "
                "list Interface v1; $VSCTL get Interface br0 ofport; $VSCTL get Bridge br0 datapath_id")
    assert re.search(r"^ofport\s+: 1$", st, re.M), st
    assert re.search(r"^link_state\s+: up$", st, re.M) and re.search(r"^admin_state\s+: up$", st, re.M)
    assert f'"{v1mac}"' in st and re.search(rf"^ifindex\s+: {v1ifindex}$", st, re.M), st
    assert re.search(r"^link_speed\s+: 10000000000$", st, re.M) and re.search(r"^error\s+: \[\]$", st, re.M)
    assert "\n65534\n" in st
    assert '"0000' + brmac.replace(":", "") + '"' in st, st

    # The missing device appears: added without any database change.  A
    # deleted port stops its traffic; added back, it passes again.
    out = sh(vm, """
ns 9
for i in $(seq 50); do [ "$($VSCTL get Interface v9 ofport)" = "3" ] && break; sleep 0.2; done
echo later=$($VSCTL get Interface v9 ofport) $($VSCTL get Interface v9 error)
ping_ok 1 9 && echo ping19=ok
$VSCTL del-port br0 v2
reach 1 2 && echo ping=ok || echo ping=fail
$VSCTL add-port br0 v2
ping_ok 1 2 && echo again=ok || echo again=fail
""")
    assert "later=3 []" in out and "ping19=ok" in out, out
    assert "ping=fail" in out and "again=ok" in out, out


def test_vlan_access_ports_isolate_two_vlans(switch):
    vm = switch
    out = sh(vm, """
ns 1; ns 2; ns 3; ns 4
$VSCTL add-br br0 -- add-port br0 v1 tag=10 -- add-port br0 v2 tag=10 \\
  -- add-port br0 v3 tag=20 -- add-port br0 v4 tag=20
for p in "1 2" "3 4"; do
  set -- $p; ping_ok $1 $2 && echo "ping $1 $2 ok" || echo "ping $1 $2 fail"
done
for p in "1 3" "2 4" "1 4"; do
  set -- $p; reach $1 $2 && echo "ping $1 $2 ok" || echo "ping $1 $2 fail"
done
echo ---fdb; ovs-appctl fdb/show br0
echo ---macs; nsmac 1; nsmac 3
""", timeout=300)
    for ok in ("ping 1 2 ok", "ping 3 4 ok", "ping 1 3 fail", "ping 2 4 fail", "ping 1 4 fail"):
        assert ok in out, out
    m1, m3 = out.split("---macs")[1].split()[:2]
    fdb = out.split("---fdb")[1]
    assert re.search(rf"^\s+1\s+10\s+{m1}\s", fdb, re.M), fdb
    assert re.search(rf"^\s+3\s+20\s+{m3}\s", fdb, re.M), fdb
    # Retagging v3 into VLAN 10 joins it to 1 and 2.
    out = sh(vm, "$VSCTL set Port v3 tag=10; ping_ok 1 3 && echo joined=ok || echo joined=fail")
    assert "joined=ok" in out, out


def test_restarts_during_traffic(switch):
    """kill -9 vswitchd during traffic and start it again (it adopts the
    datapath); then kill -9 ovsdb-server and start it again."""
    vm = switch
    out = sh(vm, """
ns 1; ns 2; ns 3
$VSCTL add-br br0 -- add-port br0 v1 -- add-port br0 v2
ping_ok 1 2 || exit 1
ovs-dpctl show br0 | grep ' port ' > $S/before
ip netns exec ns1 busybox ping -i 0.1 -c 60 -W 1 10.0.0.2 > $S/ping.out 2>&1 &
P=$!
sleep 1
kill -9 $(cat $S/ovs-vswitchd.pid)
sleep 1.5        # the datapath forwards on its own meanwhile
start_sw
sleep 0.5
ovs-appctl revalidator/wait
echo ---diff; ovs-dpctl show br0 | grep ' port ' | diff $S/before - && echo same-datapath
echo ---dps; ovs-dpctl dump-dps 2>&1 | grep -v '|INFO|'
echo ---fdb; ovs-appctl fdb/show br0
kill -9 $(cat $S/ovsdb-server.pid)
sleep 1
start_db
$VSCTL add-port br0 v3 && echo added
ping_ok 1 3 && echo ping13=ok
wait $P
echo ---ping; tail -3 $S/ping.out
echo ---stats; $VSCTL get Interface v1 statistics
echo ---log; cat $S/ovs-vswitchd.log
""", timeout=300)
    m = re.search(r"(\d+) packets transmitted, (\d+) packets received", out)
    assert m, out
    sent, got = int(m.group(1)), int(m.group(2))
    # Kernel flows keep forwarding while the switch is down, and after it
    # comes back (it adopts the datapath); the database going away does not
    # disturb it either: at most a couple of losses.
    assert sent == 60 and got >= 57, out
    assert "same-datapath" in out, out
    assert out.split("---dps")[1].split("---fdb")[0].split() == ["system@br0"], out
    fdb = out.split("---fdb")[1]
    assert len(re.findall(r"^\s+[12]\s+0\s+\S+\s+\d+$", fdb, re.M)) == 2, fdb   # re-learned from the flows
    assert "added" in out and "ping13=ok" in out, out
    assert re.search(r"rx_packets=[1-9]", out.split("---stats")[1]), out
    log = out.split("---log")[1]
    assert "adopted datapath br0 with 3 ports" in log, log
    assert "deleted port" not in log, log      # nothing was torn down by either restart
