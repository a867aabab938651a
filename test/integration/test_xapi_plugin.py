"""openvswitch-cfg-update, run exactly as XAPI runs it, against the XAPI test
double (xapi_double.py — XAPI itself cannot run here) and our ovsdb-server,
with Debian's ovs-vsctl and with ours.  ovs-ofctl and interface-reconfigure
are recording stand-ins (there is no OpenFlow switch to program here)."""
import os
import stat
import time
import xmlrpc.client

import pytest

from harness import DEBIAN, FakeSwitch, OvsdbServer, build_path, run
from xapi_double import XapiDouble, load_state

SESSION = "OpaqueRef:session-1"


def script(path, body):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


class Bed:
    def __init__(self, tmp_path, vsctl_impl):
        self.tmp = tmp_path
        self.db = OvsdbServer("ours", tmp_path / "db").start()
        # No switch daemon here: something must acknowledge next_cfg.
        self.switch = FakeSwitch(self.db).__enter__()
        self.vsctl_exe = DEBIAN["ovs-vsctl"] if vsctl_impl == "debian" else build_path("utilities/ovs-vsctl")
        self.state = load_state()
        assert SESSION in self.state["sessions"]
        self.xapi = XapiDouble(tmp_path / "xapi.sock", self.state).__enter__()
        self.flows = tmp_path / "flows"
        self.reconfigure_log = tmp_path / "reconfigure"
        self.log = tmp_path / "plugin.log"
        self.env = {
            "XAPI_SOCKET": str(tmp_path / "xapi.sock"),
            "OVS_VSCTL": self.vsctl_exe,
            "OVS_VSCTL_DB": self.db.unix,
            "OVS_OFCTL": script(tmp_path / "ovs-ofctl", f'echo "$@" >> {self.flows}\n'),
            "INTERFACE_RECONFIGURE": script(tmp_path / "ifr", f'echo "$@" >> {self.reconfigure_log}\n'),
            "VSWITCH_CACERT": str(tmp_path / "vswitchd.cacert"),
            "XAPI_SSL_PEM": "/etc/xensource/xapi-ssl.pem",
            "VSWITCH_PLUGIN_LOG": str(self.log),
        }
        self.vsctl("init", "--", "add-br", "xenbr0", "--", "add-port", "xenbr0", "eth0",
                   "--", "set", "Bridge", "xenbr0", "other_config:hwaddr=\"00:16:3e:00:00:01\"",
                   "--", "add-br", "xapi1", "xenbr0", "5")

    def close(self):
        self.switch.__exit__(None, None, None)
        self.xapi.__exit__(None, None, None)
        self.db.stop()

    def vsctl(self, *args):
        return run([self.vsctl_exe, f"--db={self.db.unix}", "--no-wait"] + list(args)).stdout.strip()

    def plugin(self, method="update", args=None, env=None, session=SESSION):
        call = xmlrpc.client.dumps((session, args or {}), method)
        full = dict(self.env, **(env or {}))
        t0 = time.monotonic()
        r = run([build_path("xapi-plugin/openvswitch-cfg-update"), call], env=full, timeout=60, check=False)
        self.elapsed = time.monotonic() - t0
        assert r.returncode == 0, r.stderr
        (response,), _ = xmlrpc.client.loads(r.stdout)
        return response


@pytest.fixture(params=["debian", "ours"])
def bed(request, tmp_path):
    b = Bed(tmp_path, request.param)
    yield b
    b.close()


def ok(response):
    assert response["Status"] == "Success", response
    return response["Value"]


def test_pool_controller_lifecycle(bed):
    # No controller anywhere: only the fail mode is settled (standalone).
    assert ok(bed.plugin()) == "Updated fail_mode.  "
    assert bed.vsctl("get-fail-mode", "xenbr0") == "standalone"
    assert ok(bed.plugin()) == "No change to configuration"
    assert bed.vsctl("get-manager") == ""
    # A controller appears; what was configured before is reset (emer-reset).
    bed.vsctl("set-controller", "xenbr0", "tcp:9.9.9.9:6633", "--", "set", "Bridge", "xenbr0", "other_config:x=1")
    (bed.tmp / "vswitchd.cacert").write_text("old CA")
    bed.state["pools"]["OpaqueRef:pool-1"]["vswitch_controller"] = "10.0.0.1"
    # emer-reset cleared the fail mode too, so it is settled again.
    assert ok(bed.plugin()) == "Successfully set controller to 10.0.0.1.  Updated fail_mode.  "
    assert bed.vsctl("get-manager") == "ssl:10.0.0.1:6632"
    assert bed.vsctl("get-ssl").splitlines() == [
        "Private key: /etc/xensource/xapi-ssl.pem", "Certificate: /etc/xensource/xapi-ssl.pem",
        f"CA Certificate: {bed.tmp}/vswitchd.cacert", "Bootstrap: true"]
    assert not (bed.tmp / "vswitchd.cacert").exists()
    assert bed.vsctl("get-controller", "xenbr0") == ""
    assert bed.vsctl("get", "Bridge", "xenbr0", "other_config") == '{hwaddr="00:16:3e:00:00:01"}'
    assert bed.vsctl("list-br").split() == ["xapi1", "xenbr0"]    # bridges and ports stay
    # Same again: nothing to do.
    assert ok(bed.plugin()) == "No change to configuration"
    # Another controller.
    bed.state["pools"]["OpaqueRef:pool-1"]["vswitch_controller"] = "10.0.0.2"
    assert ok(bed.plugin()) == "Successfully set controller to 10.0.0.2.  Updated fail_mode.  "
    assert bed.vsctl("get-manager") == "ssl:10.0.0.2:6632"
    # Removed.
    bed.state["pools"]["OpaqueRef:pool-1"]["vswitch_controller"] = ""
    assert ok(bed.plugin()) == "Successfully removed controller config.  Updated fail_mode.  "
    assert bed.vsctl("get-manager") == "" and bed.vsctl("get-ssl") == ""
    # interface-reconfigure ran each time with "rewrite".
    assert bed.reconfigure_log.read_text().split() == ["rewrite"] * 6


def test_fail_modes_pool_and_network(bed):
    pool = bed.state["pools"]["OpaqueRef:pool-1"]
    pool["other_config"]["vswitch-controller-fail-mode"] = "secure"
    assert ok(bed.plugin()) == "Updated fail_mode.  "
    assert bed.vsctl("get-fail-mode", "xenbr0") == "secure"
    # The network's own setting wins over the pool's.
    bed.state["networks"]["OpaqueRef:net-0"]["other_config"]["vswitch-controller-fail-mode"] = "standalone"
    assert ok(bed.plugin()) == "Updated fail_mode.  "
    assert bed.vsctl("get-fail-mode", "xenbr0") == "standalone"
    # Anything but "secure" is standalone.
    bed.state["networks"]["OpaqueRef:net-0"]["other_config"]["vswitch-controller-fail-mode"] = "bogus"
    pool["other_config"]["vswitch-controller-fail-mode"] = "whatever"
    assert ok(bed.plugin()) == "No change to configuration"


def test_disable_in_band(bed):
    oc = bed.state["networks"]["OpaqueRef:net-0"]["other_config"]
    bed.plugin()
    oc["vswitch-disable-in-band"] = "true"
    assert ok(bed.plugin()) == "Updated in-band management.  "
    assert bed.vsctl("get", "Bridge", "xenbr0", "other_config:disable-in-band") == '"true"'
    oc["vswitch-disable-in-band"] = "false"
    assert ok(bed.plugin()) == "Updated in-band management.  "
    assert bed.vsctl("get", "Bridge", "xenbr0", "other_config:disable-in-band") == '"false"'
    oc["vswitch-disable-in-band"] = ""
    assert ok(bed.plugin()) == "Updated in-band management.  "
    assert bed.vsctl("--if-exists", "get", "Bridge", "xenbr0", "other_config:disable-in-band") == ""
    oc["vswitch-disable-in-band"] = "maybe"
    assert ok(bed.plugin()) == '"maybe" is an invalid value for vswitch-disable-in-band on xenbr0  '
    assert bed.vsctl("--if-exists", "get", "Bridge", "xenbr0", "other_config:disable-in-band") == ""


def test_management_flows_when_joining_a_secure_pool(bed):
    bed.vsctl("set", "Interface", "eth0", "ofport=1")
    pool = bed.state["pools"]["OpaqueRef:pool-1"]
    pool["vswitch_controller"] = "10.0.0.1"
    pool["other_config"]["vswitch-controller-fail-mode"] = "secure"
    assert ok(bed.plugin()) == "Successfully set controller to 10.0.0.1.  Updated fail_mode.  "
    assert bed.flows.read_text().splitlines() == [
        "add-flow xenbr0 idle_timeout=0,priority=0,in_port=1,arp,nw_proto=1,actions=local",
        "add-flow xenbr0 idle_timeout=0,priority=0,in_port=local,arp,dl_src=00:16:3e:00:00:01,actions=1",
        "add-flow xenbr0 idle_timeout=0,priority=0,in_port=1,dl_dst=00:16:3e:00:00:01,actions=local",
        "add-flow xenbr0 idle_timeout=0,priority=0,in_port=local,dl_src=00:16:3e:00:00:01,actions=1",
    ]
    assert "PIF.get_all_records_where" in bed.xapi.methods()


def test_pool_count_failures(bed):
    pools = bed.state["pools"]
    saved = dict(pools)
    pools.clear()
    assert bed.plugin() == {"Status": "Failure", "ErrorDescription": ["NO_POOL_FOR_HOST"]}
    pools.update(saved)
    pools["OpaqueRef:pool-2"] = {"vswitch_controller": "", "other_config": {}}
    assert bed.plugin() == {"Status": "Failure", "ErrorDescription": ["MORE_THAN_ONE_POOL_FOR_HOST"]}


def test_xapi_unreachable_changes_nothing(bed):
    before = bed.vsctl("show")
    r = bed.plugin(env={"XAPI_SOCKET": str(bed.tmp / "nowhere.sock")})
    assert r["Status"] == "Failure"
    assert r["ErrorDescription"][:2] == ["XENAPI_PLUGIN_FAILURE", "update"]
    assert "nowhere.sock" in r["ErrorDescription"][3]
    assert bed.vsctl("show") == before


def test_database_down_is_a_failure_within_the_timeouts(bed):
    bed.state["pools"]["OpaqueRef:pool-1"]["vswitch_controller"] = "10.0.0.1"
    r = bed.plugin(env={"OVS_VSCTL_DB": f"unix:{bed.tmp}/no-db.sock"})
    assert r["Status"] == "Failure"
    assert r["ErrorDescription"][0] == "VSWITCH_CONFIG_MOD_FAILURE"
    assert r["ErrorDescription"][1] == "1"
    assert "set-manager" in r["ErrorDescription"][2]
    assert bed.elapsed < 30
    assert bed.vsctl("get-manager") == ""    # nothing half-written


def test_interface_reconfigure_missing_or_failing_is_logged(bed):
    r = ok(bed.plugin(env={"INTERFACE_RECONFIGURE": str(bed.tmp / "absent")}))
    assert r == "Updated fail_mode.  "
    assert "absent: failed to execute (No such file or directory)" in bed.log.read_text()
    failing = script(bed.tmp / "ifr-fail", "exit 3\n")
    assert ok(bed.plugin(env={"INTERFACE_RECONFIGURE": failing})) == "No change to configuration"
    assert f"{failing} exited with status 3" in bed.log.read_text()


def test_emergency_reset_and_unknown_method(bed):
    bed.vsctl("set-manager", "ssl:1.2.3.4:6632", "--", "set-fail-mode", "xenbr0", "secure")
    assert ok(bed.plugin("emergency_reset")) == "Successfully reset configuration"
    assert bed.vsctl("get-manager") == "" and bed.vsctl("get-fail-mode", "xenbr0") == ""
    assert bed.plugin("frobnicate") == {"Status": "Failure",
                                        "ErrorDescription": ["UNKNOWN_XENAPI_PLUGIN_FUNCTION", "frobnicate"]}
    r = bed.plugin("emergency_reset", env={"OVS_VSCTL_DB": f"unix:{bed.tmp}/no-db.sock"})
    assert r == {"Status": "Failure", "ErrorDescription": ["VSWITCH_EMER_RESET_FAILURE", "1"]}


def test_session_is_the_one_xapi_gave(bed):
    bed.plugin()
    assert all(params[0] == SESSION for m, params in bed.xapi.calls)
    # Without a session, the plugin logs in as XAPI's local clients do.
    bed.plugin(session="")
    assert "session.login_with_password" in bed.xapi.methods()
