"""Files and folders that appear whole or not at all: write to a temporary name, then rename.

A results folder is written whole: ``staged_folder(out)`` gives a temporary folder beside ``out``
(``.<name>.<pid>.tmp``); when the block ends without error the two are exchanged in one atomic
``renameat2(RENAME_EXCHANGE)`` (Linux; elsewhere two renames) and the old results are deleted, so a
reader, or a kill at any moment, sees either the old folder or the new one, never a mix; on error
the temporary folder is deleted. Temporary folders of dead processes are deleted by the next writer.

A user's files are never taken: every results folder holds ``MARKER``, the list of the files pricelab wrote in
it; ``--out`` naming a folder that holds anything not on that list (a folder of the user's own, or a results
folder the user added a file to) is refused with one line before any work, and nothing is written. A new or
empty folder is fine. ``safe_name`` turns names from input (an arm, an intervention) into one path component.
"""

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from market.errors import shorten
from market.parquet import TEMP_SUFFIX, write_parquet, written  # noqa: F401 - re-exported

MARKER = ".pricelab-results"


def write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` to ``path`` atomically."""
    path = Path(path)
    temp = path.with_name(f"{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    with written(temp, path), open(temp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    return path


@contextlib.contextmanager
def staged_folder(out: str | Path, flag: str = "--out") -> Iterator[Path]:
    """A temporary folder to fill; on success it becomes ``out`` (module docstring). ``UsageError`` when ``out``
    is a file or its place cannot be written, before any work."""
    from experiments.errors import UsageError

    out = Path(os.path.abspath(out)) if Path(out).name in ("", ".", "..") else Path(out)
    if out.name == "":
        raise UsageError(f"{flag} {str(out)!r}: the root folder cannot be a results folder; name a folder")
    check_results_folder(out, flag)
    _remove_dead(out)
    temp = out.parent / f".{out.name}.{os.getpid()}{TEMP_SUFFIX}"
    made = [folder for folder in (out.parent, *out.parent.parents) if not folder.exists()]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        temp.mkdir()
    except OSError as err:
        raise UsageError(f"{flag} {str(out)!r}: cannot create a folder there ({err.strerror})") from None
    done = False
    try:
        yield temp
        _mark(temp)
        _exchange(temp, out)
        done = True
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        for folder in made if not done else ():  # a failed command leaves no folder it made (results/)
            with contextlib.suppress(OSError):
                folder.rmdir()


def check_results_folder(out: str | Path, flag: str = "--out") -> None:
    """Refuse (``UsageError``) ``out`` when it is a file, or a folder holding anything pricelab did not write
    there (module docstring): the exchange would delete it. Reads only."""
    from experiments.errors import UsageError

    out = Path(out)
    shown = shorten(str(out))
    if out.exists() and not out.is_dir():
        raise UsageError(f"{flag} {shown!r}: is a file; need a folder (new, empty, or written by pricelab)")
    entries = sorted(out.iterdir()) if out.is_dir() else []
    if not entries:
        return
    if not (out / MARKER).is_file():
        raise UsageError(f"{flag} {shown!r}: holds files pricelab did not write (e.g. {shorten(entries[0].name)!r});"
                         f" results replace the whole folder, so give a new or empty folder")
    written = set(_read_marker(out))
    foreign = [name for name in (str(path.relative_to(out)) for path in sorted(out.rglob("*"))
                                 if path.name != MARKER and (path.is_symlink() or not path.is_dir()
                                                             or not any(path.iterdir())))
               if name not in written]
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise UsageError(f"{flag} {shown!r}: holds {shorten(foreign[0])!r}{more}, which pricelab did not write; "
                         f"results replace the whole folder, so move it or give another folder")


def _read_marker(folder: Path) -> list[str]:
    try:
        return (folder / MARKER).read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _mark(folder: Path) -> None:
    """Write ``folder/MARKER``: the relative path of every file in ``folder``, one a line."""
    files = sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
    write_text("".join(f"{name}\n" for name in files), folder / MARKER)


def safe_name(text: str) -> str:
    """``text`` as one path component: every character but letters, digits and ``+-_=.,`` becomes ``_``, and
    no leading dot (no ``..``, no hidden file), at most 100 characters."""
    name = re.sub(r"[^A-Za-z0-9+\-_=.,]", "_", text)[:100].lstrip(".")
    return name or "_"


def _exchange(temp: Path, out: Path) -> None:
    """Put ``temp`` at ``out``, leaving the old ``out`` (if any) at ``temp``."""
    if not out.exists():
        os.rename(temp, out)
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    at_fdcwd, rename_exchange = -100, 2
    if renameat2 is not None and renameat2(at_fdcwd, os.fsencode(temp), at_fdcwd, os.fsencode(out),
                                           rename_exchange) == 0:
        return
    old = out.with_name(f".{out.name}.{os.getpid()}.old{TEMP_SUFFIX}")
    os.rename(out, old)
    os.rename(temp, out)
    os.rename(old, temp)


def _remove_dead(out: Path) -> None:
    """Delete the temporary folders that dead processes left beside ``out``."""
    for folder in out.parent.glob(f".{out.name}.*{TEMP_SUFFIX}") if out.parent.is_dir() else ():
        pid = folder.name.removeprefix(f".{out.name}.").split(".")[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_temporaries(folder: Path, pattern: str = f"*{TEMP_SUFFIX}") -> None:
    """Delete the temporary files (``NAME.<pid>.tmp``) matching ``pattern`` in ``folder`` whose writers died."""
    for temp in folder.glob(pattern):
        pid = temp.name.removesuffix(TEMP_SUFFIX).rpartition(".")[2]
        if temp.is_file() and pid.isdigit() and not alive(int(pid)):
            temp.unlink(missing_ok=True)


def prepare_output_dir(out: str | Path) -> Path:
    """Check that ``out`` can be a results folder (not a file); create it. Raises ``UsageError``."""
    from experiments.errors import UsageError

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r}: is a file; need a folder (new or existing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"--out {str(out)!r}: cannot create folder ({err.strerror})") from None
    return out
