"""The XenServer RPMs: built with rpmbuild from the `meson dist` tarball for
kernel_flavor xen and kdump (rpm_build.py says how Debian stands in for the
DDK), their names, contents, dependencies and scriptlets, and an install,
upgrade and erase with `rpm --root <scratch> --nodeps`.

The upgrade goes from the xen build's openvswitch (release 1) to the kdump
build's (release 2: the openvswitch package is the same for both flavours,
so the second build doubles as the newer release).
"""
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

import rpm_build
from rpm_build import KERNEL_VERSION, VERSION, build, minimal_root, query, rpm_root
from harness import BUILD, REPO, run

# The first test builds the packages (rpmbuild compiles the tree and runs the
# unit tests): far longer than the suite's default per-test timeout.
pytestmark = pytest.mark.timeout(3600)

MAIN_FILES = {
    "/etc/init.d/openvswitch",
    "/usr/lib/systemd/system/openvswitch.service",
    "/etc/logrotate.d/openvswitch",
    "/etc/xapi.d/plugins/openvswitch-cfg-update",
    "/usr/sbin/ovsdb-server",
    "/usr/sbin/vswitchd",
    "/usr/bin/ovs-vsctl",
    "/usr/bin/ovsdb-tool",
    "/usr/bin/ovsdb-client",
    "/usr/bin/vswitch-dpctl",
    "/usr/share/vswitch/vswitch.ovsschema",
    "/usr/share/vswitch/scripts/sysconfig.template",
    "/usr/share/doc/vswitch/INSTALL.XenServer.md",
    "/usr/share/man/man8/ovsdb-server.8",
    "/usr/share/man/man8/vswitchd.8",
    "/usr/share/man/man8/ovs-vsctl.8",
    "/usr/share/man/man1/ovsdb-tool.1",
    "/usr/share/man/man1/ovsdb-client.1",
    "/usr/share/man/man8/vswitch-dpctl.8",
    "/etc/openvswitch",
    "/var/log/openvswitch",
    "/var/run/openvswitch",
}


def needs_parts():
    missing = [p for p in ("datapath-kmod/Kbuild", "vswitchd/main.cpp") if not (REPO / p).exists()]
    if missing:
        pytest.skip(f"waiting on {', '.join(missing)}: the RPMs hold the module and vswitchd")


@pytest.fixture(scope="module")
def xen():
    needs_parts()
    return build("xen")


@pytest.fixture(scope="module")
def kdump():
    needs_parts()
    return build("kdump", release="2")


def module_path(flavor):
    return f"/lib/modules/{KERNEL_VERSION}{flavor}/extra/openvswitch/openvswitch_mod.ko"


def test_three_packages_per_flavour(xen, kdump):
    for b, rel in ((xen, "1"), (kdump, "2")):
        names = sorted(r.name for r in b.rpms)
        assert names == sorted([
            f"openvswitch-{VERSION}-{rel}.x86_64.rpm",
            f"openvswitch-debuginfo-{VERSION}-{rel}.x86_64.rpm",
            f"{b.module_package}-{VERSION}-{rel}.x86_64.rpm",
        ]), names
    # The unit tests ran in %check, and passed.
    assert "meson test" in xen.log and re.search(r"Fail:\s+0", xen.log), xen.log[-3000:]
    print(f"rpmbuild took {xen.seconds}s (xen) and {kdump.seconds}s (kdump)")


def test_main_package_contents(xen):
    # Man pages may be compressed (brp-compress) or not (Debian's rpm macros).
    files = {f.removesuffix(".gz") for f in query(xen.rpm("openvswitch"), None, "-l").split()}
    assert MAIN_FILES <= files, sorted(MAIN_FILES - files)
    assert not [f for f in files if f.startswith("/lib/modules") or "/usr/lib/debug" in f]
    # The man pages are real ones, made from the programs' --help.
    d = Path(tempfile.mkdtemp(dir=BUILD))
    try:
        run(["sh", "-c", f"rpm2cpio {xen.rpm('openvswitch')} | (cd {d} && cpio -idm --quiet)"])
        page = next((d / "usr/share/man/man8").glob("ovsdb-server.8*"))
        text = run(["sh", "-c", f"zcat -f {page}"]).stdout
        assert ".SH NAME" in text and "--remote" in text.replace("\\-", "-")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    configs = set(query(xen.rpm("openvswitch"), None, "-c").split())
    assert "/etc/logrotate.d/openvswitch" in configs
    # The programs in it run: our ovsdb-tool reads the packaged schema.
    info = query(xen.rpm("openvswitch"), "%{VERSION}-%{RELEASE} %{LICENSE}")
    assert info.startswith(f"{VERSION}-1 ")


@pytest.mark.parametrize("flavor", ["xen", "kdump"])
def test_module_package(flavor, xen, kdump):
    b = xen if flavor == "xen" else kdump
    rpm = b.rpm(b.module_package)
    assert query(rpm, None, "-l").split() == [module_path(flavor)]
    assert query(rpm, "[%{FILEMODES:perms}]") == "-rw-r--r--"
    provides = query(rpm, None, "--provides")
    assert f"openvswitch-modules-{flavor} = {KERNEL_VERSION}" in provides
    assert "openvswitch.ko.0" in provides
    requires = query(rpm, None, "--requires")
    assert f"kernel-{rpm_build.KERNEL_NAME} = {KERNEL_VERSION}" in requires
    scripts = query(rpm, None, "--scripts")
    assert re.search(r"posttrans scriptlet.*\n(.*\n)*.*depmod -a " + re.escape(KERNEL_VERSION + flavor), scripts)
    # The module inside is a real one for the kernel whose headers built it.
    d = Path(tempfile.mkdtemp(dir=BUILD))
    try:
        cpio = run(["sh", "-c", f"rpm2cpio {rpm} | (cd {d} && cpio -idm --quiet)"])
        assert cpio.returncode == 0
        ko = d / module_path(flavor).lstrip("/")
        info = run(["modinfo", str(ko)]).stdout
        assert re.search(r"^name:\s+openvswitch_mod$", info, re.M), info
        assert re.search(r"^vermagic:\s+" + re.escape(rpm_build.DEBIAN_KVER) + " ", info, re.M), info
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_dependencies_and_scripts(xen):
    main = xen.rpm("openvswitch")
    requires = query(main, None, "--requires")
    assert re.search(r"^openvswitch\.ko\.0$", requires, re.M), requires
    assert "/sbin/chkconfig" in requires
    assert "kernel-" not in requires
    scripts = query(main, None, "--scripts")
    post = scripts.split("postinstall scriptlet")[1].split("preuninstall scriptlet")[0]
    assert "chkconfig --add openvswitch" in post
    assert "ovsdb-tool create /etc/openvswitch/conf.db" in post
    assert "Reboot the host" in post
    preun = scripts.split("preuninstall scriptlet")[1].split("postuninstall scriptlet")[0]
    assert "/etc/init.d/openvswitch stop" in preun and "chkconfig --del openvswitch" in preun
    postun = scripts.split("postuninstall scriptlet")[1]
    assert "rm -f /etc/openvswitch/conf.db" in postun
    dbg = xen.rpm("openvswitch-debuginfo")
    files = query(dbg, None, "-l").split()
    for prog in ("usr/sbin/ovsdb-server", "usr/sbin/vswitchd", "usr/bin/ovs-vsctl", "usr/bin/ovsdb-tool",
                 "usr/bin/ovsdb-client"):
        assert any(f.startswith(f"/usr/lib/debug/{prog}-") and f.endswith(".debug") for f in files), prog
    assert any(f.startswith(f"/usr/lib/debug{module_path('xen')}") for f in files), files


@pytest.fixture
def scratch_root():
    d = Path(tempfile.mkdtemp(prefix="rpmroot-", dir=BUILD))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def db_version(root):
    # The database's schema version, read with the host copy of our ovsdb-tool.
    return run([str(root / "usr/bin/ovsdb-tool"), "db-version", str(root / "etc/openvswitch/conf.db")]
               ).stdout.strip()


def test_install_upgrade_erase(xen, kdump, scratch_root):
    root = minimal_root(scratch_root, [BUILD / "utilities/ovsdb-tool", BUILD / "ovsdb-server/ovsdb-server"])
    calls = root / "var/log/chkconfig.calls"
    schema_version = json.loads((REPO / "schemas/vswitch.ovsschema").read_text())["version"]

    # Install.
    p = rpm_root(root, "--nodeps", "-U", str(xen.rpm("openvswitch")), str(xen.rpm(xen.module_package)))
    out = p.stdout + p.stderr
    assert "vswitch is installed.  Reboot the host" in out, out
    assert "kernel module for " + KERNEL_VERSION + "xen is installed" in out, out
    assert calls.read_text() == "--add openvswitch\n"
    assert db_version(root) == schema_version
    assert (root / "etc/sysconfig/openvswitch").read_text() == \
        (REPO / "packaging/openvswitch.sysconfig").read_text()
    assert (root / module_path("xen").lstrip("/")).exists()
    dep = (root / f"lib/modules/{KERNEL_VERSION}xen/modules.dep").read_text()
    assert "openvswitch_mod.ko" in dep, dep
    assert rpm_root(root, "-q", "openvswitch").stdout.strip() == f"openvswitch-{VERSION}-1.x86_64"

    # The operator's settings and configuration, as the switch would have them.
    sysconfig = root / "etc/sysconfig/openvswitch"
    sysconfig.write_text(sysconfig.read_text() + "VSWITCHD_START_TIMEOUT=45\n")
    run([str(root / "usr/bin/ovsdb-tool"), "transact", str(root / "etc/openvswitch/conf.db"), json.dumps(
        ["Open_vSwitch",
         {"op": "insert", "table": "Manager", "row": {"target": "ssl:192.0.2.1:6632"}, "uuid-name": "m"},
         {"op": "insert", "table": "Open_vSwitch", "row": {"manager_options": ["named-uuid", "m"]}}])])

    # Upgrade (release 2) and add the crash kernel's module.
    p = rpm_root(root, "--nodeps", "-U", str(kdump.rpm("openvswitch")), str(kdump.rpm(kdump.module_package)))
    out = p.stdout + p.stderr
    assert "vswitch was upgraded.  Reboot the host" in out, out
    assert rpm_root(root, "-q", "openvswitch").stdout.strip() == f"openvswitch-{VERSION}-2.x86_64"
    q = run([str(root / "usr/bin/ovsdb-tool"), "query", str(root / "etc/openvswitch/conf.db"),
             json.dumps(["Open_vSwitch", {"op": "select", "table": "Manager", "where": []}])]).stdout
    assert "ssl:192.0.2.1:6632" in q
    assert "VSWITCHD_START_TIMEOUT=45" in sysconfig.read_text()
    assert (root / module_path("xen").lstrip("/")).exists()
    assert (root / module_path("kdump").lstrip("/")).exists()
    assert "openvswitch_mod.ko" in (root / f"lib/modules/{KERNEL_VERSION}kdump/modules.dep").read_text()

    # Erase everything: configuration and database go.
    p = rpm_root(root, "-e", "openvswitch", xen.module_package, kdump.module_package)
    out = p.stdout + p.stderr
    assert calls.read_text().splitlines()[-1] == "--del openvswitch", calls.read_text()
    assert not (root / "etc/openvswitch").exists()
    assert not sysconfig.exists()
    assert not (root / "usr/sbin/ovsdb-server").exists()
    assert not (root / module_path("xen").lstrip("/")).exists()
    assert rpm_root(root, "-qa").stdout.strip() == ""
