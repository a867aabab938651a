"""The VM test bed: Debian's kernel in qemu (TCG), busybox initramfs, host root over 9p.

    with VM(extra_files=[...], modules=["openvswitch", "veth"], ko_files=[...]) as vm:
        rc, out = vm.run("ip link", timeout=60)

One boot per VM object; run() may be called many times. The guest sees the
host's root read-only at / (via chroot), a fresh tmpfs on /tmp and /run, and
an exchange directory (/tmp/xchg, read-write, shared with the host) where a
small command loop picks up numbered scripts and writes their output and exit
status back.
"""
import gzip
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path



def _debian_kernel_version():
    """The newest Debian kernel installed with its modules (linux-image-amd64)."""
    found = []
    for k in Path("/boot").glob("vmlinuz-*"):
        ver = k.name[len("vmlinuz-"):]
        if (Path("/lib/modules") / ver / "modules.dep").exists():
            found.append(ver)

    def key(ver):
        return [int(x) if x.isdigit() else x for x in ver.replace("-", ".").split(".")]
    return max(found, key=key) if found else "6.1.0-amd64"


KVER = os.environ.get("VSWITCH_VM_KVER") or _debian_kernel_version()
KERNEL = Path(os.environ.get("VSWITCH_VM_KERNEL", f"/boot/vmlinuz-{KVER}"))
MODDIR = Path(f"/lib/modules/{KVER}")
QEMU = shutil.which("qemu-system-x86_64") or "/usr/bin/qemu-system-x86_64"
BUSYBOX = Path("/bin/busybox")

# Modules needed to mount the host root over virtio 9p.
BASE_MODULES = ["crc32c_generic", "virtio_pci", "9pnet_virtio", "9p"]

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /host
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /modorder); do insmod /mods/$m || echo "$m" >> /modfail; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host || echo "vm: 9p root failed"
mount -t tmpfs tmpfs /host/tmp; mount -t tmpfs tmpfs /host/run
mount -t proc proc /host/proc; mount -t sysfs sys /host/sys; mount -o bind /dev /host/dev
mkdir -p /host/tmp/xchg /host/run/netns
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 xchg /host/tmp/xchg || echo "vm: 9p xchg failed"
ip link set lo up
[ -e /modfail ] && cp /modfail /host/tmp/xchg/modfail
chroot /host /bin/sh -c 'cd /tmp/xchg && touch ready &&
  n=0; while :; do
    if [ -e stop ]; then break; fi
    if [ -e go-$n ]; then
      t=$(cat go-$n)
      timeout -k 5 "$t" /bin/sh ./cmd-$n.sh > out-$n 2>&1 < /dev/null; echo $? > rc-$n.tmp
      mv rc-$n.tmp rc-$n; n=$((n+1))
    else sleep 0.05; fi
  done'
sync
poweroff -f
"""


class VMError(RuntimeError):
    pass


# Kernel log lines that mean something went wrong in the guest's kernel.
KERNEL_PROBLEMS = re.compile(r"WARNING:|BUG[: ]|Oops|Call Trace|general protection|RIP:|"
                             r"list_(add|del) corruption|refcount_t:|UBSAN|KASAN|"
                             r"Objects remaining|unregister_netdevice: waiting|"
                             r"unreferenced object|soft lockup|hung task|self-detected stall|"
                             r"Redzone|Poison overwritten|Padding overwritten")


def kernel_problems(text):
    """The lines of a kernel log (dmesg output) that report a problem."""
    return [line for line in text.splitlines() if KERNEL_PROBLEMS.search(line)]


def _module_deps():
    deps = {}
    for line in (MODDIR / "modules.dep").read_text().splitlines():
        mod, _, rest = line.partition(":")
        deps[mod] = rest.split()
    return deps


def _module_order(names):
    """Paths (relative to MODDIR) of the named modules and their dependencies, dependencies first."""
    deps = _module_deps()
    by_name = {}
    for path in deps:
        base = os.path.basename(path).split(".ko")[0]
        by_name[base] = path
        by_name[base.replace("-", "_")] = path
    order = []

    def visit(path):
        if path in order:
            return
        for d in deps[path]:
            visit(d)
        order.append(path)

    for n in names:
        path = by_name.get(n) or by_name.get(n.replace("-", "_"))
        if path is None:
            raise VMError(f"kernel module {n!r} not found in {MODDIR}")
        visit(path)
    return order


class VM:
    def __init__(self, extra_files=(), modules=(), ko_files=(), memory=1024, cpus=2, boot_timeout=180,
                 cmdline=""):
        for need in (QEMU, KERNEL, BUSYBOX, MODDIR / "modules.dep"):
            if not Path(need).exists():
                raise VMError(f"VM test bed: {need} is missing (scripts/install-deps installs it)")
        if isinstance(extra_files, dict):
            self.files = dict(extra_files)
        else:
            self.files = {f: f for f in extra_files}
        for host in self.files:
            if not Path(host).exists():
                raise VMError(f"VM test bed: file {host} does not exist")
        self.modules = list(modules)
        self.ko_files = [str(k) for k in ko_files]
        self.memory = memory
        self.cpus = cpus
        self.boot_timeout = boot_timeout
        self.cmdline = cmdline  # extra kernel arguments, e.g. "slub_debug=FZP"
        self.proc = None
        self.dir = None
        self.n = 0

    # ---- lifecycle
    def _build_initrd(self):
        root = self.dir / "initrd"
        (root / "bin").mkdir(parents=True)
        (root / "mods").mkdir()
        shutil.copy2(BUSYBOX, root / "bin" / "busybox")
        order = []
        for rel in _module_order(BASE_MODULES + self.modules):
            name = os.path.basename(rel)
            shutil.copy2(MODDIR / rel, root / "mods" / name)
            order.append(name)
        (root / "modorder").write_text("\n".join(order) + "\n")
        (root / "init").write_text(INIT)
        (root / "init").chmod(0o755)
        files = subprocess.run(["find", ".", "-print0"], cwd=root, check=True, capture_output=True).stdout
        cpio = subprocess.run(["cpio", "--null", "-o", "-H", "newc", "--quiet"], cwd=root, input=files,
                              check=True, capture_output=True).stdout
        path = self.dir / "initrd.gz"
        path.write_bytes(gzip.compress(cpio, compresslevel=1))
        return path

    def start(self):
        self.dir = Path(tempfile.mkdtemp(prefix="vswitch-vm-"))
        self.xchg = self.dir / "xchg"
        self.xchg.mkdir()
        try:
            initrd = self._build_initrd()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.console = self.dir / "console.log"
        cmd = [QEMU, "-accel", "tcg", "-m", str(self.memory), "-smp", str(self.cpus), "-nographic",
               "-no-reboot", "-kernel", str(KERNEL), "-initrd", str(initrd),
               "-append", " ".join(["console=ttyS0 panic=-1 loglevel=4 edd=off no_timer_check", self.cmdline]).strip(),
               "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
               "-virtfs", f"local,path={self.xchg},mount_tag=xchg,security_model=none"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=open(self.console, "wb"),
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.boot_timeout
        while not (self.xchg / "ready").exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = self.console.read_text(errors="replace")[-4000:]
                self.stop()
                raise VMError(f"VM did not boot; console tail:\n{log}")
            time.sleep(0.1)
        if (self.xchg / "modfail").exists():
            failed = (self.xchg / "modfail").read_text().split()
            log = self.console_text()[-3000:]
            self.stop()
            raise VMError(f"VM: modules failed to load: {failed}; console tail:\n{log}")
        # Files whose guest path differs from the host path, and out-of-tree modules.
        setup = []
        for i, (host, guest) in enumerate(self.files.items()):
            if os.path.abspath(host) != os.path.abspath(guest):
                shutil.copy2(host, self.xchg / f"file-{i}")
                setup.append(f"mkdir -p $(dirname {guest}) && cp /tmp/xchg/file-{i} {guest}")
        for i, ko in enumerate(self.ko_files):
            setup.append(f"insmod {ko} || exit 1")
        if setup:
            rc, out = self.run("\n".join(setup), timeout=60)
            if rc != 0:
                self.stop()
                raise VMError(f"VM setup failed ({rc}):\n{out}")
        return self

    def run(self, script, timeout=120):
        """Runs a shell script in the guest; returns (exit status, combined output)."""
        n = self.n
        self.n += 1
        (self.xchg / f"cmd-{n}.sh").write_text(script + "\n")
        (self.xchg / f"go-{n}").write_text(str(int(timeout)))
        rcfile = self.xchg / f"rc-{n}"
        deadline = time.monotonic() + timeout + 30
        while not rcfile.exists():
            if self.proc.poll() is not None:
                raise VMError("VM died; console tail:\n" + self.console_text()[-4000:])
            if time.monotonic() > deadline:
                raise VMError(f"VM command {n} did not finish in {timeout}s")
            time.sleep(0.05)
        rc = int(rcfile.read_text().strip() or "255")
        return rc, (self.xchg / f"out-{n}").read_text(errors="replace")

    def console_text(self):
        return self.console.read_text(errors="replace") if self.console and self.console.exists() else ""

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    (self.xchg / "stop").touch()
                    self.proc.wait(timeout=20)
                except Exception:
                    self.proc.kill()
                    self.proc.wait()
            self.proc = None
        if self.dir is not None and not os.environ.get("VSWITCH_VM_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
