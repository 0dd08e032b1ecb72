"""The back-quoted dateline of a GNews repost: ``3/25/2024 12:42 PM UTC CP`` -> date, ISO form, byline.

The date is kept exactly as written (the record is a faithful transcript); the ISO form is extra, for sorting
and filtering. Whatever follows the date (an author or desk name) is the byline. 2022 reposts carry only a
byline, so no date is invented for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

# full-width digits and colon fold one-to-one, so match offsets on the folded string index the original
_FOLD = str.maketrans("０１２３４５６７８９：／－", "0123456789:/-")
_US_RE = re.compile(
    r"(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"
    r"(?:\s+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?(?:\s*(?P<tz>UTC|GMT))?"
)
_ISO_RE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?(?:\s*(?P<tz>UTC|GMT|Z))?"
)
_ZH_RE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<mo>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
    r"(?:\s*(?P<h>\d{1,2})\s*[:时時点點]\s*(?P<mi>\d{2})\s*分?)?"
)


@dataclass(frozen=True)
class Dateline:
    date: str | None  # as written
    iso: str | None  # YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS(+00:00)
    byline: str | None


def parse_date(text: str) -> tuple[str, str] | None:
    """The first date in ``text`` as (written form, ISO form), or None when there is no valid date."""
    folded = text.translate(_FOLD)
    for pattern in (_US_RE, _ISO_RE, _ZH_RE):
        m = pattern.search(folded)
        if m is None:
            continue
        iso = _iso(m)
        if iso is not None:
            return text[m.start() : m.end()].strip(), iso
    return None


def parse_dateline(text: str) -> Dateline:
    """Split a dateline into its date (if any) and the byline around it."""
    found = parse_date(text)
    if found is None:
        return Dateline(None, None, text.strip() or None)
    written, iso = found
    byline = text.replace(written, " ", 1).strip()
    return Dateline(written, iso, byline or None)


def _iso(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    hour = int(g["h"]) if g.get("h") else None
    ampm = (g.get("ampm") or "").lower()
    if hour is not None and ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        when = datetime(
            int(g["y"]),
            int(g["mo"]),
            int(g["d"]),
            hour or 0,
            int(g["mi"] or 0) if hour is not None else 0,
            int(g.get("s") or 0) if hour is not None else 0,
        )
    except ValueError:
        return None
    if hour is None:
        return when.date().isoformat()
    return when.isoformat() + ("+00:00" if g.get("tz") else "")
