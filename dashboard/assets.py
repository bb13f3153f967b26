"""Solara's front-end files, served locally: ``python -m dashboard.assets [DIR]``.

Solara's server fetches its JavaScript and CSS from a public CDN unless they are in
``SOLARA_ASSETS_PROXY_CACHE_DIR`` as ``<package>@<version>/<file>``. This module fills that
folder from the npm registry (``npm pack``), once: packages already present are skipped, so a
second run returns at once. The versions are the ones solara 1.64.1 asks for, plus the ECharts
build that the charts load (``dashboard.chart``).
"""

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGES = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/solara-vuetify3-app@5.2.0",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "echarts@5.4.0",
)
DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".solara-assets"
ENV_VAR = "SOLARA_ASSETS_PROXY_CACHE_DIR"


def cache_dir() -> Path:
    """The assets folder: ``$SOLARA_ASSETS_PROXY_CACHE_DIR`` if set, else ``.solara-assets/`` in the repository."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


def missing(root: Path) -> list[str]:
    """Packages of ``PACKAGES`` not yet unpacked under ``root``."""
    return [p for p in PACKAGES if not (root / p / "package.json").is_file()]


def ensure(root: Path) -> list[str]:
    """Unpack every missing package into ``root/<name>@<version>/``; return those fetched.

    Each package is unpacked into a temporary folder and renamed into place, so an
    interrupted run never leaves a half-filled package folder behind.
    """
    wanted = missing(root)
    if not wanted:
        return []
    if shutil.which("npm") is None:
        raise RuntimeError(f"npm not found: needed to fetch {', '.join(wanted)} into {root}")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        for spec in wanted:
            _unpack(spec, Path(scratch), root / spec)
    return wanted


def _unpack(spec: str, scratch: Path, target: Path) -> None:
    packed = subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(scratch)],
                            check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    staging = Path(tempfile.mkdtemp(dir=scratch))
    with tarfile.open(scratch / packed) as archive:
        for member in archive.getmembers():
            member.name = member.name.partition("/")[2]
            if member.name and (member.isfile() or member.isdir()):
                archive.extract(member, staging, filter="data")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(target)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0]) if argv else cache_dir()
    try:
        fetched = ensure(root)
    except (RuntimeError, subprocess.CalledProcessError) as err:
        detail = getattr(err, "stderr", "") or ""
        print(f"dashboard.assets: error: {err} {detail.strip()}", file=sys.stderr)
        return 1
    print(f"dashboard assets in {root}: " + (f"fetched {', '.join(fetched)}" if fetched else "all present"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
