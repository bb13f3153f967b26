"""One self-contained HTML page from a Markdown report: its PNG figures embedded, so a reader needs one file."""

import base64
import html as escape
import re
from pathlib import Path

import markdown

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45;
color:#222}table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .6em}
th{background:#f3f3f3}td{vertical-align:top}img{max-width:100%}h1{font-size:1.6em}h2{border-bottom:1px solid #ddd}
code{background:#f6f6f6;padding:0 .2em}"""


def page(text: str, folder: Path, title: str) -> str:
    """``text`` (Markdown) as an HTML page; images found in ``folder`` become data URIs."""
    body = markdown.markdown(text, extensions=["tables"])

    def embed(match: re.Match) -> str:
        path = folder / match.group(2)
        if not path.is_file():
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode()
        return f'{match.group(1)}data:image/png;base64,{data}"'

    body = re.sub(r'(<img[^>]*src=")([^"]+\.png)"', embed, body)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")
