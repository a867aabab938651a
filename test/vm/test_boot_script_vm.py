"""The boot script (/etc/init.d/openvswitch) in the VM test bed, where kernel
modules really load and unload.  One boot for all of it.

Trees are made on the host in a directory under the build tree (the guest
sees the host root read-only, with a fresh /tmp) and copied to /tmp/root in
the guest, where the script runs with OVS_ROOT=/tmp/root.

Step 1 against Linux's own openvswitch.ko, with a tree laid out from the
build (test/integration/boot_tree.py) that has no openvswitch_mod:
  - loaded with datapaths: start refuses, names them, exit 1, touches
    nothing else;
  - loaded without datapaths: start unloads it, then fails with a clear
    error and exit 1 since no openvswitch_mod is installed.

The whole sequence with the installed tree: the xen RPMs installed by rpm
into a scratch root (test/integration/rpm_build.py), whose database holds two
stale bridges and a manager.  The module package is for kernel
"6.1.0-NNxen" (the stand-in for a XenServer kernel, whose uname -r is
<kernel_version><flavor>), so the script is told OVS_KERNEL_VERSION=6.1.0-NNxen
in place of uname -r; the module itself was built against the running
Debian kernel's headers and loads into it.
"""
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
import rpm_build  # noqa: E402
from boot_tree import BootTree, stale_boot_ops  # noqa: E402
from harness import BUILD, REPO, run as host_run  # noqa: E402
from vm import VM  # noqa: E402

GUEST_ROOT = "/tmp/root"
ENV = f"export OVS_ROOT={GUEST_ROOT} OVS_SYSLOG=no\n"
INIT = f"{GUEST_ROOT}/etc/init.d/openvswitch"


@pytest.fixture(scope="module")
def host_tree():
    d = Path(tempfile.mkdtemp(prefix="boot-vm-", dir=BUILD))
    tree = BootTree(d / "root").from_build()
    yield tree
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def vm(host_tree):
    # Linux's openvswitch is loaded by the tests that want it (modprobe).
    with VM(modules=["veth"]) as m:
        yield m


@pytest.fixture
def guest(vm, host_tree):
    """A fresh copy of the installed tree in the guest; daemons stopped after."""
    rc, out = vm.run(f"rm -rf {GUEST_ROOT} && cp -a {host_tree.root} {GUEST_ROOT}")
    assert rc == 0, out
    yield vm
    vm.run(ENV + f"{INIT} stop >/dev/null 2>&1; rm -rf {GUEST_ROOT}")


def run(vm, script, timeout=120):
    return vm.run(ENV + script, timeout=timeout)


def test_linux_module_with_datapaths_is_refused(guest):
    rc, out = run(guest, "grep '^openvswitch ' /proc/modules >/dev/null || modprobe openvswitch\n"
                  "ovs-dpctl add-dp stale0 && ovs-dpctl add-dp stale1 || exit 99\n"
                  f"{INIT} start; echo rc=$?\n"
                  "echo ---after; grep -c '^openvswitch ' /proc/modules; ovs-dpctl dump-dps\n"
                  f"ls {GUEST_ROOT}/var/run/openvswitch 2>/dev/null | wc -l\n"
                  "ovs-dpctl del-dp stale0; ovs-dpctl del-dp stale1")
    assert rc == 0, out
    assert "rc=1" in out, out
    assert "Linux's own openvswitch module is loaded and holds datapaths (stale0 stale1)" in out, out
    after = out.split("---after")[1].split()
    # Still loaded, both datapaths kept, no daemon started.
    assert after[0] == "1"
    assert "system@stale0" in after and "system@stale1" in after
    assert after[-1] == "0"


def test_idle_linux_module_is_unloaded_then_missing_module_is_an_error(guest):
    rc, out = run(guest, "grep '^openvswitch ' /proc/modules >/dev/null || modprobe openvswitch\n"
                  "ovs-dpctl dump-dps | grep . && exit 99\n"
                  f"{INIT} start; echo rc=$?\n"
                  "echo ---after; grep -c '^openvswitch ' /proc/modules\n"
                  f"{INIT} status; echo status=$?")
    assert rc == 0, out
    assert "unloading Linux's own openvswitch module (it holds no datapath)" in out, out
    assert "rc=1" in out
    assert ("error: kernel module openvswitch_mod not found: modprobe failed" in out
            and "install the openvswitch-modules package for kernel" in out), out
    assert out.split("---after")[1].split()[0] == "0"
    assert "status=3" in out
    assert "ovsdb-server is not running" in out


# --- the whole sequence, with the RPM-installed tree ------------------------------

XEN_KERNEL = f"{rpm_build.KERNEL_VERSION}xen"
MANAGER_PORT = 6640
FULL_ENV = ENV + f"export OVS_KERNEL_VERSION={XEN_KERNEL}\n"
VSCTL = f"{GUEST_ROOT}/usr/bin/ovs-vsctl --db=unix:{GUEST_ROOT}/var/run/openvswitch/db.sock --timeout=20"
DPCTL = f"{GUEST_ROOT}/usr/bin/vswitch-dpctl"


@pytest.fixture(scope="module")
def rpm_tree():
    missing = [p for p in ("datapath-kmod/Kbuild", "vswitchd/main.cpp") if not (REPO / p).exists()]
    if missing:
        pytest.skip(f"waiting on {', '.join(missing)}: the installed tree needs the module and vswitchd")
    d = Path(tempfile.mkdtemp(prefix="boot-rpm-", dir=BUILD))
    root = rpm_build.installed_root(d / "root")
    tree = BootTree(root)
    tree.transact(*stale_boot_ops(f"ptcp:{MANAGER_PORT}:127.0.0.1"))
    yield tree
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def booted(vm, rpm_tree):
    """The installed tree in the guest, for the ordered tests below."""
    rc, out = vm.run(f"rm -rf {GUEST_ROOT} && cp -a {rpm_tree.root} {GUEST_ROOT} && "
                     "{ grep -q '^openvswitch ' /proc/modules && rmmod openvswitch; true; }")
    assert rc == 0, out
    yield vm
    vm.run(FULL_ENV + f"{INIT} stop >/dev/null 2>&1; rmmod openvswitch_mod; rm -rf {GUEST_ROOT}")


def full(vm, script, timeout=180):
    rc, out = vm.run(FULL_ENV + script, timeout=timeout)
    return rc, out


def pids(vm):
    rc, out = vm.run(f"cat {GUEST_ROOT}/var/run/openvswitch/ovsdb-server.pid "
                     f"{GUEST_ROOT}/var/run/openvswitch/ovs-vswitchd.pid")
    assert rc == 0, out
    return tuple(out.split())


@pytest.mark.timeout(3600)   # builds the RPMs when test_rpm_packages has not
def test_start_loads_module_runs_daemons_deletes_bridges_keeps_manager(booted):
    rc, out = full(booted, f"{VSCTL} --no-wait list-br 2>&1 || true; echo ---start\n"
                   f"{INIT} start; echo rc=$?\n"
                   "echo ---modules; grep -c '^openvswitch_mod ' /proc/modules\n"
                   f"echo ---bridges; {VSCTL} list-br\n"
                   f"echo ---manager; {VSCTL} get-manager\n"
                   f"echo ---tcp; ovs-vsctl --db=tcp:127.0.0.1:{MANAGER_PORT} --timeout=10 get-manager\n"
                   f"echo ---cfg; {VSCTL} get Open_vSwitch . cur_cfg next_cfg\n"
                   f"{INIT} status; echo status=$?")
    assert "rc=0" in out, out
    for step in ("loaded kernel module openvswitch_mod", "starting ovsdb-server",
                 "deleting the bridges left from before: xapi1 xenbr0", "starting vswitchd",
                 "vswitchd applied the configuration"):
        assert step in out, (step, out)
    assert out.split("---modules")[1].split()[0] == "1"
    assert out.split("---bridges")[1].split("---manager")[0].strip() == ""
    assert out.split("---manager")[1].split("---tcp")[0].strip() == f"ptcp:{MANAGER_PORT}:127.0.0.1"
    assert out.split("---tcp")[1].split("---cfg")[0].strip() == f"ptcp:{MANAGER_PORT}:127.0.0.1"
    cur, nxt = out.split("---cfg")[1].split()[:2]
    assert cur == nxt, out
    assert "status=0" in out


def test_add_br_makes_a_working_bridge(booted):
    # Two namespaces joined through br0 by veth pairs: they must ping.
    rc, out = full(booted, f"""
set -e
for n in 1 2; do
  ip netns add ns$n
  ip link add v$n type veth peer name p$n
  ip link set p$n netns ns$n
  ip -n ns$n addr add 10.9.0.$n/24 dev p$n
  ip -n ns$n link set p$n up
  ip link set v$n up
done
{VSCTL} add-br br0 -- add-port br0 v1 -- add-port br0 v2
ip link set br0 up
echo ---dp; {DPCTL} show
echo ---ping; ip netns exec ns1 busybox ping -c 3 -W 2 10.9.0.2
""")
    assert rc == 0, out
    assert "br0" in out.split("---dp")[1]
    assert " 0% packet loss" in out.split("---ping")[1], out


def test_start_twice_is_harmless(booted):
    before = pids(booted)
    rc, out = full(booted, f"{INIT} start; echo rc=$?; {VSCTL} list-br")
    assert "rc=0" in out and "already running" in out, out
    assert "br0" in out.split("rc=0")[1]
    assert pids(booted) == before


def test_force_reload_kmod(booted):
    db_pid, sw_pid = pids(booted)
    rc, out = full(booted, f"{INIT} force-reload-kmod; echo rc=$?\n"
                   "grep -c '^openvswitch_mod ' /proc/modules\n"
                   f"echo ---dp; {DPCTL} show; ip -br link show br0")
    assert "rc=0" in out, out
    assert "unloading kernel module openvswitch_mod" in out and "loaded kernel module" in out
    new_db, new_sw = pids(booted)
    assert new_db == db_pid and new_sw != sw_pid
    # vswitchd made the bridge's datapath again in the new module.
    assert "br0" in out.split("---dp")[1], out


def test_restart_and_status_codes(booted):
    db_pid, sw_pid = pids(booted)
    rc, out = full(booted, f"{INIT} restart; echo rc=$?; {VSCTL} list-br; echo ---; "
                   f"{INIT} status; echo status=$?")
    assert "rc=0" in out, out
    assert "br0" not in out.split("rc=0")[1].split("---")[0]     # a restart is a boot
    assert "status=0" in out
    assert set(pids(booted)).isdisjoint({db_pid, sw_pid})
    rc, out = full(booted, f"kill -9 $(cat {GUEST_ROOT}/var/run/openvswitch/ovs-vswitchd.pid); sleep 1; "
                   f"{INIT} status; echo status=$?")
    assert "vswitchd is dead but its pidfile" in out and "status=1" in out, out
    rc, out = full(booted, f"{INIT} stop; echo rc=$?; {INIT} status; echo status=$?; "
                   "grep -c '^openvswitch_mod ' /proc/modules")
    assert "rc=0" in out and "status=3" in out, out
    assert out.split()[-1] == "1"       # stop leaves the module loaded


def test_missing_module_then_insmod_fallback(booted):
    ko = f"{GUEST_ROOT}/lib/modules/{XEN_KERNEL}/extra/openvswitch/openvswitch_mod.ko"
    rc, out = full(booted, f"rmmod openvswitch_mod && mv {ko} /tmp/kept.ko\n"
                   f"{INIT} start; echo rc=$?\n"
                   f"ls {GUEST_ROOT}/var/run/openvswitch/ | grep -c pid || true")
    assert "rc=1" in out, out
    assert "error: kernel module openvswitch_mod not found" in out
    assert f"install the openvswitch-modules package for kernel {XEN_KERNEL}" in out
    assert out.split()[-1] == "0"       # nothing started
    # With the file back but modprobe failing, insmod loads it.
    rc, out = full(booted, f"mv /tmp/kept.ko {ko}\n"
                   f"MODPROBE=false {INIT} start; echo rc=$?\n"
                   "grep -c '^openvswitch_mod ' /proc/modules")
    assert "rc=0" in out, out
    assert f"loading {ko} with insmod" in out
    assert out.split()[-1] == "1"
