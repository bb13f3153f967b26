"""Reading the files a user hands us (TOML and JSON), with one-line errors naming the file and what is wrong.

Every file the command line reads goes through here: scenarios, intervention files, sweep specs, arms
files, manifests, calibrations. A missing file, a folder, an unreadable one, bytes that are not UTF-8
text, invalid syntax, nesting too deep to parse, a file too large to be a configuration, or a top level
that is not a table: each becomes ``error("<what> file '<path>': <problem>")``, never a traceback.
"""

import json
import tomllib
from pathlib import Path

MAX_BYTES = 16 * 2**20  # a configuration, not a data set
MAX_DEPTH = 100         # deeper nesting is refused before the parser recurses


def read_text(path: str | Path, what: str, error: type[Exception]) -> str:
    """The file's text; ``error`` for a missing, unreadable, oversized or non-UTF-8 file."""
    path = Path(path)
    where = f"{what} file {str(path)!r}"
    if path.is_dir():
        raise error(f"{where}: is a folder; need a file")
    if not path.is_file():
        raise error(f"{where}: not found")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise error(f"{where}: {path.stat().st_size:,} bytes; a {what} file is at most {MAX_BYTES:,}")
        data = path.read_bytes()
    except OSError as err:
        raise error(f"{where}: cannot read ({err.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise error(f"{where}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); save it as "
                    "UTF-8") from None


def depth(text: str) -> int:
    """The deepest nesting of brackets and braces outside strings (an upper bound is enough)."""
    depth = deepest = 0
    quote = None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _parsed(text: str, parse, kind: str, where: str, error: type[Exception]) -> dict:
    if depth(text) > MAX_DEPTH:
        raise error(f"{where}: nested more than {MAX_DEPTH} levels deep")
    try:
        data = parse(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, ValueError) as err:
        raise error(f"{where}: invalid {kind}: {' '.join(str(err).split())}") from None
    except RecursionError:
        raise error(f"{where}: nested too deeply to read") from None
    if not isinstance(data, dict):
        raise error(f"{where}: must hold a table of fields, not a {type(data).__name__}")
    return data


def read_toml(path: str | Path, what: str, error: type[Exception]) -> dict:
    """The parsed TOML file; ``error("<what> file '<path>': ...")`` otherwise (module docstring)."""
    return _parsed(read_text(path, what, error), tomllib.loads, "TOML", f"{what} file {str(path)!r}", error)


def read_json(path: str | Path, what: str, error: type[Exception]) -> dict:
    """The parsed JSON file (a JSON object); ``error`` otherwise, as :func:`read_toml`."""
    return _parsed(read_text(path, what, error), json.loads, "JSON", f"{what} file {str(path)!r}", error)
