"""The VM test bed itself: one boot, several commands, statuses and modules as asked."""
import pytest

from vm import VM, VMError


@pytest.fixture(scope="module")
def vm():
    with VM(modules=["veth"], extra_files=["/usr/bin/ovs-dpctl"]) as m:
        yield m


def test_exit_status_and_output_come_back(vm):
    assert vm.run("echo hello; exit 3") == (3, "hello\n")
    rc, out = vm.run("uname -r")
    assert rc == 0 and out.strip().endswith("amd64")


def test_requested_module_is_loaded_and_veth_works(vm):
    rc, out = vm.run("grep -q '^veth ' /proc/modules && ip link add name b1 type veth peer name b2 && "
                     "ip -br link show b1")
    assert rc == 0, out
    assert "b1@b2" in out


def test_namespaces_and_timeout(vm):
    rc, out = vm.run("ip netns add t1 && ip netns exec t1 ip -br link && ip netns del t1")
    assert rc == 0 and "lo" in out, out
    rc, _ = vm.run("sleep 30", timeout=2)
    assert rc == 124  # timeout(1)'s status: the command loop survives
    assert vm.run("true")[0] == 0


def test_unknown_module_fails_clearly():
    with pytest.raises(VMError, match="no_such_module"):
        VM(modules=["no_such_module"]).start()
