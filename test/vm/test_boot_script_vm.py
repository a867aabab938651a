"""The boot script (/etc/init.d/openvswitch) in the VM test bed, where kernel
modules really load and unload.

The tree is laid out on the host as the RPM installs it (test/integration/
boot_tree.py), in a directory under the build tree (the guest sees the host
root read-only, with a fresh /tmp), and copied to /tmp/root in the guest,
where the script runs with OVS_ROOT=/tmp/root.

Step 1 against Linux's own openvswitch.ko (loaded at boot here):
  - loaded with a datapath: start refuses, names the datapath, exit 1,
    touches nothing else;
  - loaded without datapaths: start unloads it, then, with no openvswitch_mod
    installed, fails with a clear error and exit 1.
"""
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from boot_tree import BootTree  # noqa: E402
from harness import BUILD  # noqa: E402
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
    with VM(modules=["openvswitch"]) as m:
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
