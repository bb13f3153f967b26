"""Strict JSON for ``--json`` output: NaN and infinities become ``null`` (JSON has no such numbers, and a reader
such as ``jq`` or JavaScript refuses them), numpy scalars and arrays plain numbers and lists."""

import json
import math


def plain(value):
    """``value`` with every non-finite float as None and numpy values as Python ones, recursively."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(value) -> str:
    """One line of strict JSON (``allow_nan=False`` checks that nothing was missed)."""
    return json.dumps(plain(value), allow_nan=False)
