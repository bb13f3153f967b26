"""The names of the scenario's fields as the page shows them, for its controls and its messages.

A control changes a field by dotted path (``sellers.shop_hourly.period``); the scenario's
validation names fields by position (``sellers[1].period``). A student sees neither: the page
says ``shop_hourly: period``. ``label`` gives a path's page name, ``reword`` puts page names
into a message in place of either kind of path, and the validator's wording ("Input should be
greater than or equal to 0") into plain words ("must be at least 0").
"""

import re

from market.scenario import Scenario

LABELS = {
    "seed": "seed",
    "demand.mu": "demand mu",
    "platform.referral_fee": "referral fee",
    "platform.featured_attention": "Buy Box attention",
    "platform.self_preference": "self-preference",
}
_BY_POSITION = re.compile(r"\bsellers\[(\d+)\]\.(?:params\.)?(\w+)")
_BY_NAME = re.compile(r"\bsellers\.([A-Za-z0-9_-]+)\.(?:params\.)?(\w+)")
PLAIN = (  # the validator's phrases (pydantic) and the page's words for them, most specific first
    (r"Input should be greater than or equal to", "must be at least"),
    (r"Input should be less than or equal to", "must be at most"),
    (r"Input should be greater than", "must be more than"),
    (r"Input should be less than", "must be less than"),
    (r"Input should be a valid integer[^;\n]*", "must be a whole number"),
    (r"Input should be a finite number", "must be a number (not infinite)"),
    (r"Input should be a valid number[^;\n]*", "must be a number"),
    (r"Input should be", "must be"),
    (r"Value error, ", ""),
    (r"Field required", "is missing"),
)


def label(path: str) -> str:
    """``shop_hourly: period`` for ``sellers.shop_hourly.period`` (``undercut: step`` for a strategy parameter,
    ``sellers.undercut.params.step``); ``demand mu`` for ``demand.mu``."""
    if path in LABELS:
        return LABELS[path]
    match = _BY_NAME.fullmatch(path)
    if match:
        return f"{match[1]}: {match[2]}"
    return path.replace("_", " ")


def reword(message: str, config: Scenario) -> str:
    """``message`` with every seller field path (by position or by name) and known path as the page names it."""
    names = [s.name for s in config.sellers]

    def by_position(match: re.Match) -> str:
        i = int(match[1])
        return f"{names[i]}: {match[2]}" if i < len(names) else match[0]
    message = _BY_POSITION.sub(by_position, message)
    message = _BY_NAME.sub(lambda m: f"{m[1]}: {m[2]}", message)
    for path, shown in LABELS.items():
        message = re.sub(rf"(?<![\w.]){re.escape(path)}(?![\w.])", shown, message)
    for phrase, plain in PLAIN:
        message = re.sub(phrase, plain, message)
    return message
