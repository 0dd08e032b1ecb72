"""The PNG line chart of a topic timeline (matplotlib, Agg backend: no display needed, as on a server).

Topic labels carry Chinese terms; matplotlib's default font has no Han glyphs, so a CJK font is used when one is
installed, else the legend shows bare topic numbers rather than boxes.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.topicmodel.overtime import TopicTimeline

CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Source Han Sans SC", "SimHei")


def _cjk_font() -> str | None:
    """A CJK font family matplotlib can use; one installed after matplotlib built its font cache is added."""
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in names), None)

    found = known()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(key in Path(path).name.lower() for key in ("wqy", "cjk", "sourcehan", "simhei")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = known()
    return found


def plot_timeline(timeline: TopicTimeline, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    months = [p.month for p in timeline.months]
    with plt.rc_context({"font.family": ["sans-serif"], "font.sans-serif": [font, "DejaVu Sans"]} if font else None):
        fig, ax = plt.subplots(figsize=(9, 4.8), dpi=100)
        try:
            for t in range(timeline.k):
                label = timeline.label(t) if font else f"topic {t}"
                ax.plot(months, [p.shares[t] for p in timeline.months], marker="o", label=label)
            ax.set_xlabel("month")
            ax.set_ylabel("mean topic weight of the month's articles")
            ax.set_ylim(bottom=0)
            ax.set_title(f"Topics over time ({sum(p.articles for p in timeline.months)} dated articles)")
            ax.grid(alpha=0.3)
            if timeline.k:
                ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
            fig.autofmt_xdate()
            fig.savefig(path, bbox_inches="tight")
        finally:
            plt.close(fig)
