"""The HTML report of a run: one self-contained file (inline styles, script and SVG charts, no network).

``build_report_html(records)`` is the whole job; :mod:`.data` turns records into what is shown, :mod:`.spans`
splits an article's text at every entity and link boundary, :mod:`.svg` draws the charts, :mod:`.render`
writes the HTML and :mod:`.assets` holds the inline CSS and JavaScript.
"""

from __future__ import annotations

from pipeline.report.render import build_report_html, write_report

__all__ = ["build_report_html", "write_report"]
