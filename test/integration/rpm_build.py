"""Building the XenServer RPMs (packaging/openvswitch-xen.spec) as the install
instructions say, with Debian's rpm, and installing them under a scratch root.

Debian's kernel headers stand in for the kernel-devel tree: kernel_version is
Debian's "6.1.0-NN" (its version-release), kernel_name "xen", and the module is
built against /lib/modules/6.1.0-NN-amd64/build through the spec's
kernel_tree define (no /lib/modules/6.1.0-NNxen/build exists here).

The build compiles the whole tree once inside rpmbuild.  It goes through
ccache with CCACHE_NOHASHDIR and CCACHE_SLOPPINESS=locale, as scripts/test
builds, so it reuses the objects of that build of the same sources (rpmbuild
compiles in another directory, with LANG=C); a built set is kept in
$VSWITCH_BUILD_DIR/rpm/ keyed by the commit, the spec and the defines, and
reused by later tests (test/vm uses the same RPMs).

rpmbuild's --nodeps is added: Debian's rpm database does not know the Debian
packages that satisfy the spec's BuildRequires.  --root installs need a
minimal system inside the root for the scriptlets (rpm runs them chrooted):
minimal_root() puts busybox there, the shared libraries of our programs, and
a recording stand-in for XenServer's chkconfig.
"""
import hashlib
import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

from harness import BUILD, REPO

SPEC = REPO / "packaging" / "openvswitch-xen.spec"
KERNEL_NAME = "xen"


def _debian_kernel():
    found = sorted(p.parent.name for p in Path("/lib/modules").glob("*/build")
                   if (p / "Makefile").exists())
    if not found:
        raise AssertionError("no kernel headers in /lib/modules/*/build (linux-headers-amd64)")
    return found[-1]


DEBIAN_KVER = _debian_kernel()                                    # 6.1.0-57-amd64
KERNEL_VERSION = re.sub(r"-[a-z0-9]+$", "", DEBIAN_KVER)          # 6.1.0-57
KERNEL_TREE = f"/lib/modules/{DEBIAN_KVER}/build"


def project_version():
    text = (REPO / "meson.build").read_text()
    return re.search(r"version\s*:\s*'([^']+)'", text).group(1)


VERSION = project_version()


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise AssertionError(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n"
                             f"stdout: {p.stdout[-6000:]}\nstderr: {p.stderr[-6000:]}")
    return p


def dist_tarball():
    """`meson dist` of the committed tree, as a release is made."""
    run(["meson", "dist", "-C", str(BUILD), "--no-tests", "--formats", "xztar", "--allow-dirty"],
        timeout=600)
    t = BUILD / "meson-dist" / f"vswitch-{VERSION}.tar.xz"
    assert t.exists(), t
    return t


def rpmbuild_command(flavor, release=None):
    """The instructions' command line (plus --nodeps, and the kernel tree)."""
    cmd = ["rpmbuild",
           "-D", f"openvswitch_version {VERSION}",
           "-D", f"kernel_name {KERNEL_NAME}",
           "-D", f"kernel_version {KERNEL_VERSION}",
           "-D", f"kernel_flavor {flavor}",
           "-D", f"kernel_tree {KERNEL_TREE}"]
    if release:
        cmd += ["-D", f"openvswitch_release {release}"]
    return cmd + ["--nodeps", "-bb", str(SPEC)]


_built = {}


def build(flavor, release=None):
    """Builds (or reuses) the RPMs for one flavor; returns a Built."""
    head = run(["git", "-C", str(REPO), "rev-parse", "HEAD"]).stdout.strip()
    cmd = rpmbuild_command(flavor, release)
    key = hashlib.sha256("\0".join([head, SPEC.read_text()] + cmd).encode()).hexdigest()[:16]
    if key in _built:
        return _built[key]
    top = BUILD / "rpm" / key
    done = top / "done"
    if not done.exists():
        shutil.rmtree(top, ignore_errors=True)
        for d in ("SOURCES", "BUILD", "RPMS", "SRPMS", "BUILDROOT", "SPECS"):
            (top / d).mkdir(parents=True)
        shutil.copy(dist_tarball(), top / "SOURCES")
        # As scripts/test builds: ccache may then serve rpmbuild's compiles.
        env = dict(os.environ, CCACHE_NOHASHDIR="1", CCACHE_SLOPPINESS="locale")
        t0 = time.monotonic()
        p = subprocess.run(cmd + ["-D", f"_topdir {top}"], capture_output=True, text=True, env=env,
                           timeout=3000)
        (top / "rpmbuild.log").write_text(p.stdout + p.stderr)
        if p.returncode != 0:
            raise AssertionError(f"rpmbuild failed ({p.returncode}), log in {top}/rpmbuild.log:\n"
                                 + (p.stdout + p.stderr)[-8000:])
        (top / "seconds").write_text(f"{time.monotonic() - t0:.0f}\n")
        shutil.rmtree(top / "BUILD", ignore_errors=True)
        shutil.rmtree(top / "BUILDROOT", ignore_errors=True)
        done.write_text("")
    _built[key] = Built(top, flavor)
    return _built[key]


class Built:
    def __init__(self, top, flavor):
        self.top = top
        self.flavor = flavor
        self.log = (top / "rpmbuild.log").read_text()
        self.seconds = int((top / "seconds").read_text())
        self.rpms = sorted((top / "RPMS").rglob("*.rpm"))

    def rpm(self, name):
        """The RPM file whose package name is `name`."""
        for r in self.rpms:
            if query(r, "%{NAME}") == name:
                return r
        raise AssertionError(f"no package {name} in {[r.name for r in self.rpms]}")

    @property
    def module_package(self):
        return f"openvswitch-modules-{self.flavor}-{KERNEL_VERSION}"


def query(rpm_file, fmt=None, *opts):
    cmd = ["rpm", "-qp", str(rpm_file)]
    if fmt:
        cmd += ["--queryformat", fmt]
    return run(cmd + list(opts)).stdout


# --- scratch roots ---------------------------------------------------------------

BUSYBOX_APPLETS = ["sh", "cat", "cp", "mkdir", "rm", "rmdir", "printf", "echo", "grep", "sed",
                   "sleep", "kill", "uname", "date", "dirname", "basename", "tr", "ls", "test", "["]


def shared_libraries(program):
    libs = []
    for line in run(["ldd", str(program)]).stdout.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


def minimal_root(root, programs):
    """What rpm's chrooted scriptlets need: a shell and its tools (busybox),
    depmod, the libraries of `programs`, and /sbin/chkconfig recording its
    arguments in /var/log/chkconfig.calls (XenServer's chkconfig is not here)."""
    root = Path(root)
    for d in ("bin", "sbin", "var/log", "tmp", "etc", "dev"):
        (root / d).mkdir(parents=True, exist_ok=True)
    if not (root / "dev/null").exists():
        os.mknod(root / "dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        os.chmod(root / "dev/null", 0o666)
    shutil.copy2("/bin/busybox", root / "bin/busybox")
    for a in BUSYBOX_APPLETS:
        (root / "bin" / a).symlink_to("busybox")
    (root / "sbin/depmod").symlink_to("/bin/busybox")
    chk = root / "sbin/chkconfig"
    chk.write_text('#!/bin/sh\necho "$*" >> /var/log/chkconfig.calls\n')
    chk.chmod(0o755)
    for prog in programs:
        for lib in shared_libraries(prog):
            dest = root / lib.lstrip("/")
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(os.path.realpath(lib), dest)
    return root


def rpm_root(root, *args, check=True):
    """rpm against the database under `root` (a scratch root)."""
    p = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm"] + list(args),
                       capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"rpm {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def installed_root(dest, flavor="xen"):
    """A scratch root at `dest` with the flavor's openvswitch and module
    packages installed by rpm (scriptlets run), as on a freshly set-up host."""
    b = build(flavor)
    root = minimal_root(dest, [BUILD / "utilities/ovsdb-tool", BUILD / "ovsdb-server/ovsdb-server"])
    rpm_root(root, "--nodeps", "-U", str(b.rpm("openvswitch")), str(b.rpm(b.module_package)))
    return root
