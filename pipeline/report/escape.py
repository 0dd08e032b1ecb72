"""Escaping for the report: every string of the records is data from the web and must never become markup.

Article text, titles, link targets and reasons come from reposted web pages and hand tags, so the report treats
them as hostile: HTML text and attributes go through :func:`esc` (``html.escape`` with ``quote=True``), data
for the script goes into a ``<script type="application/json">`` block through :func:`json_for_script`, which
escapes ``<``, ``>`` and ``&`` (so ``</script>`` or ``<!--`` in an article cannot end the block) and U+2028/2029
(line terminators in older JavaScript), and a URL becomes a link only when it is plain http(s).
"""

from __future__ import annotations

import html
import json
from typing import Any

_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def esc(value: Any) -> str:
    """Text or attribute value: ``& < > " '`` escaped; None is the empty string."""
    return "" if value is None else html.escape(str(value), quote=True)


def json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">`` and parses back to ``data``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return "".join(_SCRIPT_ESCAPES.get(ch, ch) for ch in text)


def safe_url(url: Any) -> str | None:
    """``url`` if it is an http(s) URL without spaces or control characters (fit for ``href``), else None.

    Anything else (``javascript:``, ``data:``, relative paths) is shown as text, never as a link.
    """
    if not isinstance(url, str):
        return None
    lowered = url.strip().lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return None
    if any(ch.isspace() or ord(ch) < 32 or ch in "\"'<>`" for ch in url.strip()):
        return None
    return url.strip()
