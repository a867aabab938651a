"""Our kernel datapath, openvswitch_mod.ko, driven by Debian's real Open vSwitch 3.1.

One VM (Debian's kernel under qemu) serves the whole module: the module is
built for that kernel once per session (the kmod fixture), loaded and
unloaded here, then driven by Debian's ovs-dpctl and ovs-vswitchd.  Two
network namespaces hang off the datapath through veth pairs so that pings
prove forwarding.  After every test the kernel log must be free of oopses,
warnings and leaks.
"""
import re
import shlex

import pytest

from vm import VM, kernel_problems

MOD = "openvswitch_mod"

NAMESPACES = """
for i in 1 2; do
  ip netns add ns$i
  ip link add v$i type veth peer name v${i}p
  ip link set v${i}p netns ns$i
  ip -n ns$i addr add 10.0.0.$i/24 dev v${i}p
  ip -n ns$i link set v${i}p up
  ip -n ns$i link set lo up
  sysctl -qw net.ipv6.conf.v$i.disable_ipv6=1
  ip link set v$i up
done
"""

PING = "ip netns exec ns1 busybox ping -c {n} -W 3 10.0.0.2 >/dev/null 2>&1; echo ping=$?"


@pytest.fixture(scope="module")
def vm(kmod):
    with VM(modules=["veth"], extra_files=[str(kmod)]) as m:
        m.ko = str(kmod)
        yield m


def sh(vm, script, timeout=180):
    rc, out = vm.run(script, timeout=timeout)
    assert rc == 0, f"rc={rc}\n{out}"
    return out


def dpctl(vm, args, timeout=60):
    """Debian's ovs-dpctl; returns (rc, output without its INFO chatter)."""
    rc, out = vm.run(f"ovs-dpctl {args}", timeout=timeout)
    lines = [ln for ln in out.splitlines() if "|INFO|" not in ln]
    return rc, "\n".join(lines) + ("\n" if lines else "")


def dmesg_problems(vm):
    _, out = vm.run("dmesg")
    return kernel_problems(out)


@pytest.fixture(autouse=True)
def clean_kernel_log(vm):
    yield
    assert dmesg_problems(vm) == []


def loaded(vm):
    return vm.run(f"grep -q '^{MOD} ' /proc/modules")[0] == 0


def test_module_loads_and_unloads_cleanly(vm):
    out = sh(vm, f"insmod {vm.ko} && grep '^{MOD} ' /proc/modules && dmesg | grep {MOD}")
    assert f"{MOD} " in out
    assert "Open vSwitch compatible datapath loaded" in out
    # The four families answer: an empty datapath list, not "family not found".
    rc, out = dpctl(vm, "dump-dps")
    assert rc == 0 and out.strip() == "", out
    sh(vm, f"rmmod {MOD}")
    assert not loaded(vm)
    rc, out = dpctl(vm, "dump-dps")
    assert rc != 0 and "failed to enumerate system datapaths" in out, out
    sh(vm, f"insmod {vm.ko} && mount -t debugfs none /sys/kernel/debug")
    assert loaded(vm)


def test_debian_ovs_dpctl_drives_datapath_vports_and_flows(vm):
    sh(vm, NAMESPACES)
    rc, out = dpctl(vm, "add-dp dp0 v1 v2")
    assert rc == 0, out
    rc, out = dpctl(vm, "add-if dp0 int0,type=internal")
    assert rc == 0, out
    rc, out = dpctl(vm, "add-if dp0 nosuchdev")
    assert rc != 0 and "No such device" in out, out
    rc, out = dpctl(vm, "add-if dp0 v1")  # already a port
    assert rc != 0, out
    rc, show = dpctl(vm, "show -s dp0")
    assert rc == 0, show
    assert "system@dp0:" in show
    assert re.search(r"port 0: dp0 \(internal\)", show)
    assert re.search(r"port 1: v1\n", show) and re.search(r"port 2: v2\n", show)
    assert re.search(r"port 3: int0 \(internal\)", show)
    assert re.search(r"lookups: hit:\d+ missed:\d+ lost:\d+", show)
    assert "flows: 0" in show
    # The internal port is a real device; the datapath's local port too.
    sh(vm, "ip link show int0 && ip link show dp0 && ip link set int0 up")

    udp = ("in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
           "ipv4(src=10.1.1.1,dst=10.1.1.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1000,dst=53)")
    arp = "in_port(2),eth(),eth_type(0x0806),arp()"
    for flow, acts in ((udp, "2"), (arp, "1,3")):
        rc, out = dpctl(vm, f"add-flow dp0 {shlex.quote(flow)} {acts}")
        assert rc == 0, out
    rc, out = dpctl(vm, f"add-flow dp0 {shlex.quote(arp)} 1")
    assert rc != 0 and "File exists" in out, out
    rc, flows = dpctl(vm, "dump-flows dp0")
    assert rc == 0, flows
    assert re.search(r"in_port\(1\),eth\(src=02:00:00:00:00:01,dst=02:00:00:00:00:02\),"
                     r"eth_type\(0x0800\),ipv4\(src=10.1.1.1,dst=10.1.1.2,proto=17,tos=0,ttl=64,"
                     r"frag=no\),udp\(src=1000,dst=53\), packets:0, bytes:0, used:never, actions:2\n",
                     flows), flows
    assert re.search(r"in_port\(2\),eth\(\),eth_type\(0x0806\).*actions:1,3\n", flows), flows

    rc, out = dpctl(vm, f"mod-flow dp0 {shlex.quote(arp)} 3")
    assert rc == 0, out
    # No actions: drop.  (Open vSwitch 3.1's "drop" is a userspace-only action.)
    rc, out = dpctl(vm, f"mod-flow dp0 {shlex.quote(udp)} ''")
    assert rc == 0, out
    rc, flows = dpctl(vm, "dump-flows dp0")
    assert re.search(r"eth_type\(0x0806\).*actions:3\n", flows), flows
    assert re.search(r"udp\(src=1000,dst=53\).*actions:drop\n", flows), flows
    rc, out = dpctl(vm, "mod-flow dp0 'in_port(1),eth(),eth_type(0x88b5)' 2")
    assert rc != 0 and "No such file or directory" in out, out

    # Bad actions are refused at install time, never run.
    for bad in ("7000000", "push_vlan(vid=1,pcp=0,tpid=0x1234)", "set(ipv4(src=1.2.3.4))"):
        rc, out = dpctl(vm, f"add-flow dp0 'in_port(1),eth(),eth_type(0x88b5)' {shlex.quote(bad)}")
        assert rc != 0 and "Invalid argument" in out, (bad, out)

    rc, out = dpctl(vm, f"del-flow dp0 {shlex.quote(arp)}")
    assert rc == 0, out
    rc, out = dpctl(vm, f"del-flow dp0 {shlex.quote(arp)}")
    assert rc != 0 and "No such file or directory" in out, out
    rc, flows = dpctl(vm, "dump-flows dp0")
    assert "0x0806" not in flows and "udp(src=1000" in flows, flows
    rc, out = dpctl(vm, "del-flows dp0")
    assert rc == 0, out
    rc, flows = dpctl(vm, "dump-flows dp0")
    assert flows.strip() == "", flows

    rc, out = dpctl(vm, "del-if dp0 int0")
    assert rc == 0, out
    assert vm.run("ip link show int0")[0] != 0  # the internal device went with its port
    rc, out = dpctl(vm, "del-dp dp0")
    assert rc == 0, out
    rc, out = dpctl(vm, "dump-dps")
    assert out.strip() == "", out
    assert vm.run("ip link show dp0")[0] != 0
    sh(vm, "ip link show v1 && ip link show v2")  # netdevs are only let go


def test_ping_passes_only_while_forwarding_flows_are_installed(vm):
    rc, out = dpctl(vm, "add-dp dp1 v1 v2")
    assert rc == 0, out
    assert "ping=1" in sh(vm, PING.format(n=1))
    for flow, port in (("in_port(1),eth()", 2), ("in_port(2),eth()", 1)):
        rc, out = dpctl(vm, f"add-flow dp1 {shlex.quote(flow)} {port}")
        assert rc == 0, out
    assert "ping=0" in sh(vm, PING.format(n=3))
    rc, flows = dpctl(vm, "dump-flows dp1")
    counts = [int(n) for n in re.findall(r"packets:(\d+)", flows)]
    assert len(counts) == 2 and min(counts) >= 3, flows  # ARP + 3 echoes each way
    rc, show = dpctl(vm, "show dp1")
    assert re.search(r"lookups: hit:(\d+)", show) and int(re.search(r"hit:(\d+)", show).group(1)) >= 6
    rc, out = dpctl(vm, "del-flow dp1 'in_port(2),eth()'")
    assert rc == 0, out
    assert "ping=1" in sh(vm, PING.format(n=1))
    rc, out = dpctl(vm, "add-flow dp1 'in_port(2),eth()' 1")
    assert rc == 0, out
    assert "ping=0" in sh(vm, PING.format(n=1))
    rc, out = dpctl(vm, "del-flows dp1")
    assert "ping=1" in sh(vm, PING.format(n=1))
    rc, out = dpctl(vm, "del-dp dp1")
    assert rc == 0, out


OVS_ENV = "D=/tmp/ovs; export OVS_RUNDIR=$D OVS_LOGDIR=$D OVS_DBDIR=$D; VS=\"ovs-vsctl --db=unix:$D/db.sock\"\n"


def test_debian_ovs_vswitchd_switches_through_our_module(vm):
    out = sh(vm, OVS_ENV + """
mkdir -p $D
ovsdb-tool create $D/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server $D/conf.db --remote=punix:$D/db.sock --pidfile --detach --log-file
$VS --no-wait init
# ovs-vswitchd 3.1 starts no upcall handler in the first 10 s after boot.
while [ $(cut -d. -f1 /proc/uptime) -lt 11 ]; do sleep 0.5; done
ovs-vswitchd unix:$D/db.sock --pidfile --detach --log-file
$VS add-br br0
$VS add-port br0 v1
$VS add-port br0 v2
for i in $(seq 60); do ovs-dpctl show 2>/dev/null | grep -q 'port 3: v2' && break; sleep 0.5; done
ovs-dpctl show 2>/dev/null
""", timeout=240)
    assert "system@ovs-system:" in out and "port 1: br0 (internal)" in out, out
    assert re.search(r"port 2: v1\n", out) and re.search(r"port 3: v2\n", out), out
    try:
        # The first echoes miss: upcall to ovs-vswitchd, NORMAL learns and
        # installs megaflows; later ones stay in the kernel.
        assert "ping=0" in sh(vm, PING.format(n=4), timeout=120)
        flows = sh(vm, OVS_ENV + "ovs-appctl -t $D/ovs-vswitchd.$(cat $D/ovs-vswitchd.pid).ctl "
                   "dpctl/dump-flows")
        assert re.search(r"in_port\(2\),.*eth_type\(0x0800\).*packets:[1-9].*actions:3", flows), flows
        assert re.search(r"in_port\(3\),.*eth_type\(0x0800\).*packets:[1-9].*actions:2", flows), flows
        log = sh(vm, OVS_ENV + "cat $D/ovs-vswitchd.log")
        assert "Datapath supports recirculation" in log
        assert "Datapath supports unique flow ids" in log
        assert "VLAN header stack length probed as 2" in log
        missing = sorted(set(re.findall(r"Datapath does not support ([^\n]+)", log)))
        print("ovs-vswitchd reports missing:", missing)
        # Nothing but the probes' own refusals: no failed flow installs.
        assert "failed to put" not in log, log
        assert not re.search(r"\|(ERR|EMER)\|(?!.*fcntl: Protocol not supported)", log), log
    finally:
        sh(vm, OVS_ENV + """
$VS del-br br0
kill $(cat $D/ovs-vswitchd.pid) $(cat $D/ovsdb-server.pid)
for i in $(seq 40); do [ -e /proc/$(cat $D/ovs-vswitchd.pid) ] || break; sleep 0.25; done
ovs-dpctl del-dp ovs-system 2>/dev/null; true
""")


def test_unload_with_datapaths_vports_and_flows_present(vm):
    sh(vm, "ip link add u1 type veth peer name u1p && ip link set u1 up && ip link set u1p up")
    for cmd in ("add-dp ua u1 uint,type=internal", "add-dp ub",
                "add-flow ua 'in_port(1),eth()' 2", "add-flow ub 'in_port(0),eth(),eth_type(0x0806),arp()' 0"):
        rc, out = dpctl(vm, cmd)
        assert rc == 0, (cmd, out)
    objects = sh(vm, "cat /sys/kernel/debug/openvswitch_mod/objects")
    assert re.search(r"^datapaths 2$", objects, re.M) and re.search(r"^flows 2$", objects, re.M), objects
    sh(vm, f"rmmod {MOD}")
    assert not loaded(vm)
    # Our devices went; the attached netdev is back to itself and works.
    assert vm.run("ip link show ua")[0] != 0 and vm.run("ip link show uint")[0] != 0
    out = sh(vm, "ip -d link show u1")
    assert "PROMISC" not in out, out
    sh(vm, "ip link del u1")
    sh(vm, f"insmod {vm.ko}")
    rc, out = dpctl(vm, "dump-dps")
    assert rc == 0 and out.strip() == "", out
