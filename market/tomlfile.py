"""Reading TOML files with one-line errors naming the file."""

import tomllib
from pathlib import Path


def read_toml(path: str | Path, what: str, error: type[Exception]) -> dict:
    """The parsed file; ``error("<what> file '<path>': not found | invalid TOML: ...")`` otherwise."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{what} file {str(path)!r}: not found")
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise error(f"{what} file {str(path)!r}: invalid TOML: {err}") from None
