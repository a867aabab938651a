"""A scratch root laid out as the openvswitch RPM installs it, for running the
boot script (/etc/init.d/openvswitch) under OVS_ROOT.

    tree = BootTree(dir).from_build(vswitchd=True)
    rc, out = tree.script("start")

from_build() places our built programs (as symlinks) where the spec's
%install puts them: /usr/sbin/ovsdb-server, /usr/sbin/vswitchd,
/usr/bin/{ovsdb-tool,ovs-vsctl,vswitch-dpctl}, the schema in
/usr/share/vswitch/, the boot script in /etc/init.d/ and the sysconfig
template.  A tree installed by rpm --root is used the same way.

Database contents for the tests are written with our ovsdb-tool (transact),
before any server runs, as a previous boot would have left them.
"""
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from harness import BUILD, REPO, SCHEMA, build_path, run

INIT_SCRIPT = REPO / "packaging" / "openvswitch.init"
SYSCONFIG = REPO / "packaging" / "openvswitch.sysconfig"

# build path -> installed path, as in packaging/openvswitch-xen.spec
PROGRAMS = {
    "ovsdb-server/ovsdb-server": "usr/sbin/ovsdb-server",
    "utilities/ovsdb-tool": "usr/bin/ovsdb-tool",
    "utilities/ovs-vsctl": "usr/bin/ovs-vsctl",
    "lib/dpif/vswitch-dpctl": "usr/bin/vswitch-dpctl",
}
VSWITCHD = "vswitchd/vswitchd"


def vswitchd_built():
    return (BUILD / VSWITCHD).exists()


class BootTree:
    def __init__(self, root, env=None):
        self.root = Path(root)
        self.env = {"OVS_ROOT": str(self.root), "OVS_SYSLOG": "no"}
        self.env.update(env or {})

    # -- layout --------------------------------------------------------------
    def from_build(self, vswitchd=False):
        progs = dict(PROGRAMS)
        if vswitchd:
            progs[VSWITCHD] = "usr/sbin/vswitchd"
        for rel, dest in progs.items():
            src = Path(build_path(rel))
            d = self.root / dest
            d.parent.mkdir(parents=True, exist_ok=True)
            d.symlink_to(src)
        self.install(SCHEMA, "usr/share/vswitch/vswitch.ovsschema")
        self.install(INIT_SCRIPT, "etc/init.d/openvswitch", 0o755)
        self.install(SYSCONFIG, "etc/sysconfig/openvswitch")
        return self

    def install(self, src, dest, mode=0o644):
        d = self.root / dest
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, d)
        d.chmod(mode)

    def path(self, rel):
        return self.root / rel

    @property
    def db(self):
        return self.root / "etc/openvswitch/conf.db"

    @property
    def rundir(self):
        return self.root / "var/run/openvswitch"

    @property
    def sock(self):
        return self.rundir / "db.sock"

    def sysconfig(self, **settings):
        """Appends settings to the tree's /etc/sysconfig/openvswitch."""
        p = self.root / "etc/sysconfig/openvswitch"
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "a") as f:
            for k, v in settings.items():
                f.write(f"{k}={v}\n")

    # -- running -------------------------------------------------------------
    def script(self, *args, env=None, timeout=90):
        """Runs the tree's boot script; returns (exit status, stdout + stderr)."""
        full = dict(os.environ)
        full.update(self.env)
        full.update(env or {})
        p = subprocess.run([str(self.root / "etc/init.d/openvswitch")] + list(args),
                           capture_output=True, text=True, env=full, timeout=timeout)
        return p.returncode, p.stdout + p.stderr

    def tool(self, *args, check=True):
        return run([str(self.root / "usr/bin/ovsdb-tool")] + [str(a) for a in args], check=check)

    def vsctl(self, *args, check=True, impl="debian"):
        exe = "/usr/bin/ovs-vsctl" if impl == "debian" else str(self.root / "usr/bin/ovs-vsctl")
        return run([exe, f"--db=unix:{self.sock}", "--timeout=10", "--no-wait"] + list(args),
                   check=check)

    PIDFILES = {"ovsdb-server": "ovsdb-server.pid", "vswitchd": "ovs-vswitchd.pid"}

    def pid(self, daemon):
        try:
            return int((self.rundir / self.PIDFILES[daemon]).read_text().strip())
        except (OSError, ValueError):
            return None

    def alive(self, daemon):
        pid = self.pid(daemon)
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        # A zombie (a child of ours that exited) is not running.
        try:
            return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
        except OSError:
            return False

    def kill_all(self):
        """Stops whatever daemons the tree's pidfiles name (test cleanup)."""
        for daemon in ("vswitchd", "ovsdb-server"):
            pid = self.pid(daemon)
            if pid is None or not self.alive(daemon):
                continue
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while self.alive(daemon) and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.alive(daemon):
                os.kill(pid, signal.SIGKILL)

    # -- database contents -----------------------------------------------------
    def create_db(self, schema=None):
        self.db.parent.mkdir(parents=True, exist_ok=True)
        self.tool("create", self.db, schema or SCHEMA)

    def transact(self, *ops):
        p = self.tool("transact", self.db, json.dumps(["Open_vSwitch"] + list(ops)))
        result = json.loads(p.stdout)
        for r in result:
            if isinstance(r, dict) and "error" in r:
                raise AssertionError(f"transaction failed: {result}")
        return result


def stale_boot_ops(manager_target, bridges=("xenbr0", "xapi1")):
    """Operations leaving what a previous boot would: bridges with a port and
    an interface each, a manager, and other Open_vSwitch settings."""
    ops, br_refs = [], []
    for i, br in enumerate(bridges):
        ops += [
            {"op": "insert", "table": "Interface", "row": {"name": f"eth{i}"}, "uuid-name": f"i{i}"},
            {"op": "insert", "table": "Port", "uuid-name": f"p{i}",
             "row": {"name": f"eth{i}", "interfaces": ["named-uuid", f"i{i}"]}},
            {"op": "insert", "table": "Interface", "uuid-name": f"li{i}",
             "row": {"name": br, "type": "internal"}},
            {"op": "insert", "table": "Port", "uuid-name": f"lp{i}",
             "row": {"name": br, "interfaces": ["named-uuid", f"li{i}"]}},
            {"op": "insert", "table": "Bridge", "uuid-name": f"b{i}",
             "row": {"name": br, "fail_mode": "secure",
                     "ports": ["set", [["named-uuid", f"p{i}"], ["named-uuid", f"lp{i}"]]]}},
        ]
        br_refs.append(["named-uuid", f"b{i}"])
    ops += [
        {"op": "insert", "table": "Manager", "uuid-name": "m",
         "row": {"target": manager_target, "inactivity_probe": 30000}},
        {"op": "insert", "table": "Open_vSwitch",
         "row": {"bridges": ["set", br_refs], "manager_options": ["named-uuid", "m"],
                 "external_ids": ["map", [["system-id", "host-1"]]],
                 "other_config": ["map", [["vlan-limit", "2"]]]}},
    ]
    return ops
