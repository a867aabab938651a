"""Netlink fuzzing of openvswitch_mod.ko in the VM.

ovsm-nlfuzz (datapath-kmod/fuzz/nlfuzz.cpp) sends random and mutated
requests to every command of the four families, half of them well formed
(so that they reach deep: flows installed, packets executed with random
actions), while one thread pushes random frames through veth pairs attached
to the fuzzed datapaths and another creates and deletes a datapath with
ports.  The kernel runs with slab red zones and poisoning (slub_debug=FZP).

Asserted: no oops, BUG, warning or slab corruption in the kernel log; every
object the module counts is freed once the datapaths are gone (debugfs
"objects", and the module's flow slab cache); the module unloads.

VSWITCH_FUZZ_SECONDS sets the length (default 45 s, for CI); the long run in
docs/datapath-kmod.md used 600.
"""
import os
import re
from pathlib import Path

import pytest

from vm import VM, kernel_problems

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("VSWITCH_BUILD_DIR", REPO / "build"))
FUZZER = BUILD / "datapath-kmod" / "ovsm-nlfuzz"
SECONDS = int(os.environ.get("VSWITCH_FUZZ_SECONDS", "45"))
SEED = int(os.environ.get("VSWITCH_FUZZ_SEED", "0")) or None


@pytest.fixture(scope="module")
def vm(kmod):
    if not FUZZER.exists():
        pytest.fail(f"{FUZZER} is not built (VSWITCH_BUILD_DIR={BUILD})")
    with VM(modules=["veth"], extra_files=[str(kmod), str(FUZZER)], cmdline="slub_debug=FZP") as m:
        m.ko = str(kmod)
        yield m


def test_fuzzed_netlink_leaves_no_oops_no_leak_and_unloads(vm):
    seed = f"--seed {SEED}" if SEED else ""
    rc, out = vm.run(f"""
insmod {vm.ko} || exit 1
mount -t debugfs none /sys/kernel/debug
for p in fa fb; do
  ip link add $p type veth peer name ${{p}}p
  sysctl -qw net.ipv6.conf.$p.disable_ipv6=1 net.ipv6.conf.${{p}}p.disable_ipv6=1
  ip link set $p up; ip link set ${{p}}p up
done
{FUZZER} --seconds {SECONDS} {seed} --port fa --port fb --inject fap --inject fbp
echo fuzz-rc=$?
sleep 2   # deferred frees after the last grace periods
echo ---objects
cat /sys/kernel/debug/openvswitch_mod/objects
echo ---slab
grep '^ovsm_flow ' /proc/slabinfo
echo ---rmmod
rmmod openvswitch_mod; echo rmmod-rc=$?
ip link show fa >/dev/null && ip link del fa
ip link show fb >/dev/null && ip link del fb
echo ---dmesg
dmesg
""", timeout=SECONDS + 240)
    assert rc == 0, out
    print(out.split("---objects")[0])
    assert "fuzz-rc=0" in out, out
    total = re.search(r"^total (\d+) requests, (\d+) frames injected, (\d+) churn operations", out, re.M)
    assert total, out
    # It really ran: thousands of requests and frames, the datapath churned.
    assert int(total.group(1)) > 20 * SECONDS and int(total.group(2)) > 100 * SECONDS, out
    assert int(total.group(3)) > SECONDS, out
    # Each family accepted some requests (well-formed ones get through).
    for fam in ("ovs_datapath", "ovs_vport", "ovs_flow", "ovs_packet"):
        m = re.search(rf"^{fam} +sent (\d+) ok (\d+)", out, re.M)
        assert m and int(m.group(2)) > 0, (fam, out)
    objects = out.split("---objects")[1].split("---slab")[0]
    counts = dict(re.findall(r"^(\w+) (-?\d+)$", objects, re.M))
    assert len(counts) == 8 and all(v == "0" for v in counts.values()), objects
    slab = out.split("---slab")[1].split("---rmmod")[0].split()
    assert slab and slab[1] == "0", slab  # active ovsm_flow objects
    assert "rmmod-rc=0" in out
    bad = kernel_problems(out.split("---dmesg")[1])
    assert bad == [], "\n".join(bad)
