"""The link check: the article's hand links as a (noisy) reference for its entities.

The ``linkcheck`` stage (:mod:`pipeline.stages.linkcheck`) runs it after ``ner``. Each link target is first
decided entity or not (:mod:`pipeline.linkcheck.rules`); links to non-entities (外交, 4月, 日本首相) are counted
apart. Entity links are then compared with ``article.entities`` by exact span and by overlap, overall and per
type, and every disagreement becomes a worklist item an editor can act on. The result is the record's
``linkcheck`` field, and :mod:`pipeline.linkcheck.report` sums records into a corpus report.

Disagreement kinds, one per link or entity, decided in this order:

* a link whose span equals a predicted entity's is an agreement, whatever else holds;
* ``suspicious_link``, by three rules (an item lists every rule that fired):

  - ``cuts_word``: the link's start or end falls strictly inside a word of the segment stage's tokens:
    ``[[约翰]]逊``, ``[[高峰]]会`` (with ``link_words = "article"`` the tokens keep links whole, so it never fires);
  - ``cuts_entity``: the link's start or end falls strictly inside a predicted person name (约翰|逊 with 约翰逊
    PER). Only names of people: they are atomic, while a place or organization legitimately contains a linked
    name (日本|自卫队总部), and such a case is a boundary difference, not a broken link;
  - ``modifier``: nothing is predicted on the link, its target has no type, and the next jieba word is a noun
    it modifies: 三星 in 三星指挥官, 国家 in 国家安全, 外交 in 外交消息来源;

* ``boundary_differs``: an entity link that overlaps predicted entities without any of the above;
* ``link_not_found``: an entity link no predicted entity touches;
* ``entity_not_linked``: a predicted entity no link touches.

Counted apart rather than scored, each with its count in the result: links to non-entities, the entities
that touch only such links, and unlinked entities shorter than ``min_entity_chars`` (default 2): one-character
abbreviations such as 美 and 日 in 美日, which MSRA-style NER tags and no link ever covers.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from pipeline.core.article import Article, Entity, Link
from pipeline.eval.spans import Span, span_scores
from pipeline.linkcheck.rules import COMMON_NOUNS, TargetType, decide, read_typed_list, read_word_list
from pipeline.text.names import normalize_name

if TYPE_CHECKING:
    from pipeline.ner.gazetteer import Gazetteer
    from pipeline.text.segment import Token

PERSON_LABELS = frozenset({"PER", "PERSON", "PER.NAM"})
KINDS = ("entity_not_linked", "link_not_found", "boundary_differs", "suspicious_link")
# jieba flags of a noun a link can be the modifier of (国家|安全 an, 三星|指挥官 n); not vn, which is mostly
# verbal after a name (路透社|分析)
MODIFIED_NOUN_FLAGS = frozenset({"n", "ng", "nl", "an"})


@dataclass(frozen=True)
class Word:
    """A jieba word of the article, on the original text."""

    start: int
    end: int
    flag: str
    text: str


@dataclass(frozen=True)
class Resources:
    """What the rules read besides the article; loaded once per process and options."""

    typed: dict[str, str]
    common: frozenset[str]
    gazetteer: Gazetteer | None


@functools.lru_cache(maxsize=4)
def load_resources(
    opencc: str | None, types_file: str | None, gazetteer: str | None, non_entity_file: str | None
) -> Resources:
    def norm(name: str) -> str:
        return normalize_name(name, opencc)

    typed = read_typed_list(types_file, norm) if types_file else {}
    common = frozenset(norm(w) for w in COMMON_NOUNS)
    if non_entity_file:
        common |= read_word_list(non_entity_file, norm)
    gaz = None
    if gazetteer:
        from pipeline.ner.gazetteer import Gazetteer  # spaCy: loaded only when a gazetteer is configured

        gaz = Gazetteer(convert=opencc)
        gaz.load_patterns(gazetteer)
    return Resources(typed, common, gaz)


# both read jieba's own dictionary, which no option changes: cached per process, since the same names come back
# in article after article (1,269 distinct targets among 14,025 links on the 1,005-article corpus; jieba's
# cut of each was 0.8 s of the stage's 2.1 s)
@functools.lru_cache(maxsize=1 << 16)
def jieba_flag(name: str) -> str | None:
    from pipeline.text.segmenter import segmenter

    return segmenter().tag_of(name, "") or None


@functools.lru_cache(maxsize=1 << 16)
def jieba_pieces(name: str) -> tuple[tuple[str, str], ...]:
    from pipeline.text.segmenter import segmenter

    return tuple(segmenter().cut(name, hmm=True, pos=True))


class WordIndex:
    """Which jieba word covers a position: the word-cut and modifier rules ask this for link edges.

    Reads the segment stage's tokens in place (no second jieba pass) and makes a :class:`Word` only for the
    positions asked about: building one per token cost most of the stage. Whitespace is no word.
    """

    def __init__(self, text: str, tokens: Sequence[Token]) -> None:
        self.text = text
        self.tokens = tokens

    def at(self, pos: int) -> Word | None:
        i = bisect_right(self.tokens, pos, key=attrgetter("start")) - 1
        if i < 0:
            return None
        tok = self.tokens[i]
        surface = self.text[tok.start : tok.end]
        if not tok.start <= pos < tok.end or surface.isspace():
            return None
        return Word(tok.start, tok.end, tok.tag, surface)

    def cut_at(self, pos: int) -> Word | None:
        """The word ``pos`` falls strictly inside, if any."""
        w = self.at(pos)
        return w if w is not None and w.start < pos else None


def check_article(
    article: Article,
    resources: Resources,
    *,
    opencc: str | None = "t2s",
    context: int = 12,
    min_entity_chars: int = 2,
) -> dict[str, Any]:
    """The link check of one article (see the module docstring); JSON-ready."""
    text = article.text
    links = sorted(
        (lk for lk in article.links if 0 <= lk.start < lk.end <= len(text)), key=lambda lk: (lk.start, lk.end)
    )
    entities = sorted(article.entities, key=lambda e: (e.start, e.end))
    words = WordIndex(text, article.tokens or ())

    entity_index = Intervals([(e.start, e.end) for e in entities])
    touching = [[entities[i] for i in entity_index.overlapping(lk.start, lk.end)] for lk in links]
    names = [normalize_name(lk.target, opencc) for lk in links]
    model_labels = _model_labels(links, names, touching)
    decided: dict[str, TargetType] = {}
    for name in names:
        if name not in decided:
            decided[name] = _decide_target(name, model_labels.get(name), resources)
    decisions = [decided[name] for name in names]

    items: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    suspicious_rules: Counter[str] = Counter()
    for link, decision, touch in zip(links, decisions, touching, strict=True):
        link_rows.append(_link_row(link, decision, touch))
        item = _link_disagreement(article, link, decision, touch, words, context)
        if item is not None:
            items.append(item)
            suspicious_rules.update(item.get("rules", []))

    gold = [Span(lk.start, lk.end, d.bucket) for lk, d in zip(links, decisions, strict=True) if d.is_entity]
    non_entity = [(lk.start, lk.end) for lk, d in zip(links, decisions, strict=True) if not d.is_entity]
    pred: list[Span] = []
    apart = short = 0
    linked_names = _linked_names(links, opencc)
    gold_index = Intervals([(g.start, g.end) for g in gold])
    other_index = Intervals(non_entity)
    for ent in entities:
        on_entity_link = gold_index.touches(ent.start, ent.end)
        on_other_link = other_index.touches(ent.start, ent.end)
        if on_other_link and not on_entity_link:
            apart += 1  # counted apart, like the link it sits on
        elif not on_entity_link and ent.end - ent.start < min_entity_chars:
            short += 1
        elif links:  # an article without links has no reference: nothing to score, nothing to fix
            pred.append(Span(ent.start, ent.end, ent.label))
            if not on_entity_link:
                items.append(_not_linked_item(article, ent, linked_names, opencc, context))

    items.sort(key=lambda it: (it["start"], it["end"], it["kind"]))
    kinds = Counter(it["kind"] for it in items)
    return {
        "counts": {
            "links": len(links),
            "entity_links": len(gold),
            "non_entity_links": len(non_entity),
            "entities": len(entities),
            "entities_on_non_entity_links": apart,
            "short_unlinked_entities": short,
            "entities_by_source": dict(sorted(Counter(e.source for e in entities).items())),
            **_occurrences(text, links),
            "disagreements": {k: kinds[k] for k in KINDS},
            "suspicious_rules": dict(sorted(suspicious_rules.items())),
        },
        "non_entity_links": dict(Counter(d.basis for d in decisions if not d.is_entity)),
        "exact": span_scores(gold, pred, mode="exact", match_label=False).to_dict(),
        "overlap": span_scores(gold, pred, mode="overlap", match_label=False).to_dict(),
        "links": link_rows,
        "worklist": items,
    }


def _link_row(link: Link, decision: TargetType, touch: list[Entity]) -> dict[str, Any]:
    """What the check decided about one link (the gazetteer builder and the report read these)."""
    exact = [e for e in touch if (e.start, e.end) == (link.start, link.end)]
    seen = exact[0] if exact else (touch[0] if touch else None)
    return {
        "start": link.start,
        "end": link.end,
        "surface": link.surface,
        "target": link.target,
        "entity": decision.is_entity,
        "label": decision.label,
        "basis": decision.basis,
        "found": "exact" if exact else ("overlap" if touch else "none"),
        "model_label": seen.label if seen is not None else None,
    }


def _link_disagreement(
    article: Article, link: Link, decision: TargetType, touch: list[Entity], words: WordIndex, context: int
) -> dict[str, Any] | None:
    """The worklist item of one link, or None when the link agrees with the model or is a non-entity link."""
    if any((e.start, e.end) == (link.start, link.end) for e in touch):
        return None
    at: dict[str, Any] = {"article": article, "start": link.start, "end": link.end, "context": context, "link": link}
    reasons = _suspicion(link, decision, touch, words)
    if reasons:
        return _item(
            "suspicious_link",
            **at,
            decision=decision,
            entities=touch,
            rules=[rule for rule, _, _ in reasons],
            reason="; ".join(why for _, why, _ in reasons),
            action=reasons[0][2],
        )
    if not decision.is_entity:
        return None
    if touch:
        shown = "、".join(f"{e.text} ({e.label})" for e in touch)
        return _item(
            "boundary_differs",
            **at,
            decision=decision,
            entities=touch,
            reason=f"link covers {link.surface!r}, the model found {shown}",
            action=f"if {shown} is the full name, move the link onto it; otherwise keep the link",
        )
    label = decision.label or "a name"
    return _item(
        "link_not_found",
        **at,
        decision=decision,
        entities=[],
        reason=f"no entity predicted on the link (target typed {label} by {decision.basis})",
        action=f"if {link.target!r} is {label}, add it to the gazetteer or typed list; "
        "if it is not a name, add it to the non-entity list",
    )


def _model_labels(links: list[Link], names: list[str], touching: list[list[Entity]]) -> dict[str, str]:
    """Each target's label by majority over the model's entities on its links in this article.

    Entities with a link's exact span vote; only a target with no exact vote is typed by entities containing
    its links (驻日美军 ⊇ 美军), weaker evidence (日本自卫队 ⊇ 日本 is no ORG). A target is decided once per
    article, so a mention the model missed is a miss, not a different kind of target.
    """
    exact_votes: dict[str, Counter[str]] = {}
    covered_votes: dict[str, Counter[str]] = {}
    for link, name, touch in zip(links, names, touching, strict=True):
        exact = [e for e in touch if (e.start, e.end) == (link.start, link.end)]
        containing = [e for e in touch if e.start <= link.start and link.end <= e.end]
        if exact:
            exact_votes.setdefault(name, Counter())[exact[0].label] += 1
        elif containing:
            covered_votes.setdefault(name, Counter())[containing[0].label] += 1
    labels = {}
    for name in set(exact_votes) | set(covered_votes):
        tally = exact_votes.get(name) or covered_votes[name]
        labels[name] = min(tally, key=lambda lab: (-tally[lab], lab))
    return labels


def _decide_target(name: str, model_label: str | None, resources: Resources) -> TargetType:
    gaz = resources.gazetteer.label_of(name) if resources.gazetteer is not None else None
    return decide(
        name,
        typed=resources.typed,
        common=resources.common,
        gazetteer_label=gaz,
        model_label=model_label,
        jieba_flag=jieba_flag(name),
        pieces=jieba_pieces(name),
    )


def _suspicion(link: Link, decision: TargetType, touch: list[Entity], words: WordIndex) -> list[tuple[str, str, str]]:
    """(rule, reason, suggested action) for each way the link looks wrong."""
    out: list[tuple[str, str, str]] = []
    cut = [w for w in (words.cut_at(link.start), words.cut_at(link.end)) if w is not None]
    if cut:
        word = cut[0].text
        out.append(
            ("cuts_word", f"the link cuts the word {word!r}", f"link the whole word {word!r} or remove the link")
        )
    for e in touch:
        if e.label in PERSON_LABELS and (e.start < link.start < e.end or e.start < link.end < e.end):
            out.append(
                (
                    "cuts_entity",
                    f"the link cuts the predicted name {e.text!r} ({e.label})",
                    f"link {e.text!r} instead, or keep the link if the model is wrong",
                )
            )
            break
    if not touch and decision.label is None and decision.basis not in ("role_title", "date_number"):
        nxt = words.at(link.end)
        if nxt is not None and nxt.start == link.end and nxt.flag in MODIFIED_NOUN_FLAGS:
            out.append(
                (
                    "modifier",
                    f"{link.surface!r} modifies the noun {nxt.text!r} after it and no entity is predicted here: "
                    f"it reads as part of {link.surface + nxt.text!r}, not as the name",
                    "remove the link unless the name is really meant here",
                )
            )
    return out


def _linked_names(links: list[Link], opencc: str | None) -> dict[str, list[Link]]:
    names: dict[str, list[Link]] = {}
    for link in links:
        names.setdefault(normalize_name(link.surface, opencc), []).append(link)
        names.setdefault(normalize_name(link.target, opencc), []).append(link)
    return names


def _not_linked_item(
    article: Article, ent: Entity, linked: dict[str, list[Link]], opencc: str | None, context: int
) -> dict[str, Any]:
    elsewhere = linked.get(normalize_name(ent.text, opencc), [])
    if elsewhere:
        target = elsewhere[0].target
        reason = f"{ent.text!r} ({ent.label}) is linked at {len(elsewhere)} other place(s) in this article, not here"
        action = f"link this mention too: [[zh:{target}]]"
    else:
        reason = f"{ent.text!r} ({ent.label}, from {ent.source}) has no link in this article"
        action = f"add [[zh:{ent.text}]] if it is a {ent.label} name; otherwise ignore (model false positive)"
    item = _item(
        "entity_not_linked",
        article=article,
        start=ent.start,
        end=ent.end,
        context=context,
        entities=[ent],
        reason=reason,
        action=action,
    )
    if elsewhere:
        item["target"] = elsewhere[0].target
    return item


def _item(
    kind: str,
    *,
    article: Article,
    start: int,
    end: int,
    context: int,
    link: Link | None = None,
    decision: TargetType | None = None,
    entities: list[Entity],
    reason: str,
    action: str,
    rules: list[str] | None = None,
) -> dict[str, Any]:
    text = article.text
    left = text[max(0, start - context) : start]
    right = text[end : end + context]
    item: dict[str, Any] = {
        "kind": kind,
        "article": article.id,
        "path": article.path,
        "start": start,
        "end": end,
        "surface": text[start:end],
        "target": link.target if link else None,
        "target_label": decision.label if decision else None,
        "target_basis": decision.basis if decision else None,
        "entity": entities[0].text if entities else None,
        "entity_label": entities[0].label if entities else None,
        "entity_start": entities[0].start if entities else None,
        "entity_end": entities[0].end if entities else None,
        "context": " ".join(f"{left}【{text[start:end]}】{right}".split()),
        "reason": reason,
        "action": action,
    }
    if rules:
        item["rules"] = rules
    return item


def _occurrences(text: str, links: list[Link]) -> dict[str, int]:
    """How often the linked strings occur in the text, and how many of those occurrences are linked.

    A hand editor links a name once or twice; a dictionary linker links nearly every occurrence. The ratio
    tells a reader of the report which kind of reference they are looking at. Occurrences of each string are
    counted left to right without overlapping each other, in one pass over the text for all strings (a search
    per string was quadratic on long articles with many links).
    """
    linked_at = {(lk.start, lk.end) for lk in links}
    by_first: dict[str, list[str]] = {}
    for surface in sorted({text[lk.start : lk.end] for lk in links}):
        by_first.setdefault(surface[0], []).append(surface)
    free_from: dict[str, int] = {}
    occurrences = linked = 0
    for pos, char in enumerate(text):
        for surface in by_first.get(char, ()):
            if pos >= free_from.get(surface, 0) and text.startswith(surface, pos):
                occurrences += 1
                linked += (pos, pos + len(surface)) in linked_at
                free_from[surface] = pos + len(surface)
    return {"linked_string_occurrences": occurrences, "linked_occurrences": linked}


class Intervals:
    """Half-open intervals (which may overlap or nest) sorted by start, answering "which ones touch this span"
    in logarithmic time plus the size of the answer: the link check asks it once per link and per entity."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        order = sorted(range(len(spans)), key=lambda i: spans[i])
        self._order = order
        self._starts = [spans[i][0] for i in order]
        self._ends = [spans[i][1] for i in order]
        self._max_end: list[int] = []  # running maximum of the ends, for stopping the backward scan
        best = -1
        for end in self._ends:
            best = max(best, end)
            self._max_end.append(best)

    def overlapping(self, start: int, end: int) -> list[int]:
        """Indices (into the spans given) of those that share a position with ``[start, end)``, in input order."""
        return sorted(self._touching(start, end))

    def touches(self, start: int, end: int) -> bool:
        return next(self._touching(start, end), None) is not None

    def _touching(self, start: int, end: int) -> Iterator[int]:
        j = bisect_left(self._starts, end) - 1
        while j >= 0 and self._max_end[j] > start:
            if self._ends[j] > start:
                yield self._order[j]
            j -= 1
