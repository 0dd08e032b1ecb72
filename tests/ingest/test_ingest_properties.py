"""Properties of ingest on generated articles: every tag becomes a link whose offsets are exact on the clean
text and map back to the raw file; broken tags warn; the clean text is what the markup stands for."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest import parse_article, strip_wikilinks
from pipeline.ingest.writer import decode_entities

SIMPLIFIED = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经"
)
TRADITIONAL = (
    "們這個國會來對時說經發過進還當與產後從實學將從開關應問題機關總統選舉臺灣報導記者經濟貿戰爭議員閱讀書館園區"
)
PUNCT = "，。、；：？！“”《》（）—…·０１２ＮＡＴＯ"
ASCII = "abcXYZ0123 .,:/%"
PROSE = SIMPLIFIED + TRADITIONAL + PUNCT + ASCII
NAME = SIMPLIFIED + TRADITIONAL + "ABCxyz·0123"
ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x4e2d;": "中", "&#22283;": "國", "&middot;": "·"}


@dataclass
class Expected:
    raw: list[str] = field(default_factory=list)
    clean: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    broken: int = 0


prose = st.text(alphabet=PROSE, min_size=1, max_size=12)
name = st.text(alphabet=NAME, min_size=1, max_size=8).filter(lambda s: s.strip() == s)


@st.composite
def segment(draw: st.DrawFn, exp: Expected, *, markdown: bool) -> None:
    """Append one random piece of a line (raw form and what it must become) to ``exp``."""
    kinds = ["text", "tag", "tag", "pipe", "broken", "empty"]
    if markdown:
        kinds += ["entity", "bold", "link", "image"]
    kind = draw(st.sampled_from(kinds))
    if kind == "text":
        text = draw(prose)
        exp.raw.append(text)
        exp.clean.append(text)
    elif kind in ("tag", "pipe"):
        target = draw(name)
        prefix = draw(st.sampled_from(["zh:", "", "en:"]))
        full_target = f"en:{target}" if prefix == "en:" else target
        shown = draw(name) if kind == "pipe" else target
        exp.raw.append(f"[[{prefix}{target}|{shown}]]" if kind == "pipe" else f"[[{prefix}{target}]]")
        exp.clean.append(shown)
        exp.links.append((shown, full_target))
    elif kind == "broken":  # unclosed: what follows on the line never closes it
        inner = draw(name)
        exp.raw.append(f"[[zh:{inner}")
        exp.clean.append(f"[[zh:{inner}")
        exp.broken += 1
    elif kind == "empty":
        tag = draw(st.sampled_from(["[[]]", "[[zh:]]", "[[ ]]"]))
        exp.raw.append(tag)
        exp.clean.append(tag)
        exp.broken += 1
    elif kind == "entity":
        ref = draw(st.sampled_from(sorted(ENTITIES)))
        exp.raw.append(ref)
        exp.clean.append(ENTITIES[ref])
    elif kind == "bold":
        target = draw(name)
        exp.raw.append(f"**[[zh:{target}]]**")
        exp.clean.append(target)
        exp.links.append((target, target))
    elif kind == "link":
        target = draw(name)
        exp.raw.append(f"[[[zh:{target}]]](https://example.org/a_(b))")
        exp.clean.append(target)
        exp.links.append((target, target))
    else:
        exp.raw.append("![](https://assets.example.org/p.png)")


@st.composite
def article(draw: st.DrawFn, *, markdown: bool = True) -> tuple[str, str, Expected]:
    """A generated article: raw text, expected clean text, expected links and broken-tag count."""
    exp = Expected()
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    paragraphs: list[str] = []
    clean_paragraphs: list[str] = []
    header = markdown and draw(st.booleans())
    if header:
        title = draw(prose).strip() or "标题"
        paragraphs.append(
            f"###  [:house:返回](README.md){newline}---{newline}{newline}## {title}{newline}"
            f"`3/25/2024 12:42 PM UTC 编辑` [轉載自GNews](https://gnews.org/articles/1)"
        )
        clean_paragraphs.append(title)
    for _ in range(draw(st.integers(1, 4))):
        lines_raw: list[str] = []
        lines_clean: list[str] = []
        for _ in range(draw(st.integers(1, 3))):
            line = Expected()
            draw(segment(line, markdown=markdown))  # at least one piece with content
            while not "".join(line.clean).strip():
                draw(segment(line, markdown=markdown))
            for _ in range(draw(st.integers(0, 6))):
                draw(segment(line, markdown=markdown))
            lines_raw.append("".join(line.raw))
            lines_clean.append("".join(line.clean))
            exp.links += line.links
            exp.broken += line.broken
        paragraphs.append(newline.join(lines_raw))
        clean_paragraphs.append("\n".join(lines_clean))
    raw = (newline * 2).join(paragraphs) + newline
    if markdown:
        clean = "\n\n".join("\n".join(x.strip() for x in p.split("\n")) for p in clean_paragraphs)
    else:
        clean = "\n\n".join(clean_paragraphs) + "\n"  # plain text: only tags and line breaks change
    return raw, clean, exp


def check_links(raw: str, text: str, links, raw_map, expected: Expected) -> None:
    assert [(x.surface, x.target) for x in links] == [(s.strip(), t) for s, t in expected.links]
    assert raw_map.source_length == len(raw) and raw_map.derived_length == len(text)
    for link in links:
        assert text[link.start : link.end] == link.surface
        s, e = raw_map.to_source(link.start, link.end)
        assert raw[s:e] == link.surface  # generated surfaces carry no entities: the raw span is the surface
        assert raw_map.to_derived(s, e) == (link.start, link.end)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article())
def test_generated_markdown_articles_keep_every_link_exact(case: tuple[str, str, Expected]) -> None:
    raw, clean, expected = case
    a = parse_article(raw, path="gen.md", id="gen")
    assert a.text == clean
    check_links(raw, a.text, a.links, a.raw_map, expected)
    assert len(a.warnings) == expected.broken


@settings(max_examples=100, deadline=None)
@given(article(markdown=False))
def test_generated_plain_text_keeps_every_link_exact(case: tuple[str, str, Expected]) -> None:
    raw, clean, expected = case
    text, links, warnings, raw_map = strip_wikilinks(raw)
    assert text == clean
    check_links(raw, text, links, raw_map, expected)
    assert len(warnings) == expected.broken


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]|:zhen中文国 *_!()\\&;#amp>-`\r\n", max_size=80))
def test_arbitrary_bracket_soup_never_breaks_offsets(raw: str) -> None:
    a = parse_article(raw, path="soup.md", id="soup")
    assert a.raw_map.source_length == len(raw) and a.raw_map.derived_length == len(a.text)
    for link in a.links:
        assert a.text[link.start : link.end] == link.surface
        s, e = a.raw_map.to_source(link.start, link.end)
        assert link.surface in decode_entities(raw[s:e])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.integers(0, 40))
def test_binary_detection_counts_control_bytes_as_its_definition_says(data: bytes, controls: int) -> None:
    """Control bytes other than tab, newlines, form feed, vertical tab and ESC, and DEL, above a twentieth."""
    from pipeline.ingest.decode import _TEXT_CONTROLS, looks_binary

    text = "日本首相訪問美國。".encode() * 10 + bytes([1, 0x7F, 9, 10, 27]) * controls + data.replace(b"\x00", b"")
    head = text[:65536]
    expected = sum(1 for b in head if (b < 0x20 and b not in _TEXT_CONTROLS) or b == 0x7F) > max(8, len(head) // 20)
    assert looks_binary(text) == expected
