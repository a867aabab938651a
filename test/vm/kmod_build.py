"""Builds openvswitch_mod.ko (datapath-kmod/) for the kernel the VM bed boots.

The sources are copied into $VSWITCH_BUILD_DIR/datapath-kmod/kbuild (so the
source tree stays clean) and built there with kbuild against
/lib/modules/<vm.KVER>/build; make only rebuilds what changed.

    python3 test/vm/kmod_build.py [BUILD_DIR]    prints the .ko's path
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vm as vmbed  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "datapath-kmod"
MODULE = "openvswitch_mod.ko"


class KmodBuildError(RuntimeError):
    pass


def _sources():
    return [f for f in SRC.iterdir()
            if f.is_file() and (f.suffix in (".c", ".h") or f.name in ("Kbuild", "Makefile"))]


def build(build_dir=None):
    build_dir = Path(build_dir or os.environ.get("VSWITCH_BUILD_DIR") or REPO / "build")
    out = build_dir / "datapath-kmod" / "kbuild"
    out.mkdir(parents=True, exist_ok=True)
    names = set()
    for f in _sources():
        names.add(f.name)
        dst = out / f.name
        if not dst.exists() or dst.read_bytes() != f.read_bytes():
            shutil.copy2(f, dst)
    for f in out.iterdir():  # sources removed from the tree
        if f.suffix in (".c", ".h") and f.name not in names:
            f.unlink()
    kdir = vmbed.MODDIR / "build"
    if not (kdir / "Makefile").exists():
        raise KmodBuildError(f"{kdir} is missing: the kernel headers for {vmbed.KVER} "
                             "(linux-headers-amd64, scripts/install-deps) are needed")
    r = subprocess.run(["make", "-C", str(kdir), f"M={out}", f"-j{os.cpu_count() or 1}", "modules"],
                       capture_output=True, text=True)
    ko = out / MODULE
    if r.returncode != 0 or not ko.exists():
        raise KmodBuildError(f"building {MODULE} failed ({r.returncode}):\n"
                             + r.stdout[-2000:] + r.stderr[-6000:])
    warnings = [line for line in r.stderr.splitlines() if "warning:" in line]
    if warnings:
        raise KmodBuildError(f"{MODULE} builds with warnings:\n" + "\n".join(warnings[:20]))
    return ko


if __name__ == "__main__":
    try:
        print(build(sys.argv[1] if len(sys.argv) > 1 else None))
    except KmodBuildError as e:
        print(f"kmod_build: {e}", file=sys.stderr)
        sys.exit(1)
