"""Build gazetteer patterns from a corpus's links: hand links of one corpus improve NER on the next.

Every link target is a candidate name. Its type is the majority label of the NER model's predictions on the
spans linked to it across the corpus: an entity with a link's exact span votes its label, a link with none
votes ``O``. Entities that only contain a link (卢森堡 inside a bank's name, 金融 inside 金融时报) are recorded in
the pattern's ``covered`` counts for the reader but never vote: they type the larger name, not the target. So a
name the model usually gets right is also found where it missed it.
A typed list (``target<TAB>label``) overrides the vote (label ``O`` removes a target); its targets
are kept even when the corpus does not link them.

A target is dropped when it is not a named entity: the model never predicted an entity with its span (or
did on less than ``min_share`` of its links), it is a date or number, a common noun, or a title (the link check's rules,
:mod:`pipeline.linkcheck.rules`), or it is linked fewer than ``min_count`` times.

The input is either article files (run through the configured normalize, segment and ner stages, the
gazetteer option of ner switched off so the votes are the model's own) or ``records.jsonl`` files of a
``zhnews run`` that had the ner stage, whose entities are used as they are.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.linkcheck.rules import COMMON_NOUNS, NON_ENTITY_LABELS, decide
from pipeline.ner.gazetteer import write_patterns
from pipeline.text.names import normalize_name

NO_ENTITY = "O"


@dataclass
class TargetVotes:
    """What the corpus says about one (normalized) link target."""

    links: int = 0
    votes: Counter[str] = field(default_factory=Counter)  # label of an entity with the link's exact span, or "O"
    covered: Counter[str] = field(default_factory=Counter)  # label of an entity containing a link it is not equal to
    surfaces: Counter[str] = field(default_factory=Counter)  # normalized surfaces it was linked from
    first_form: str = ""  # the target as first written


def is_records_file(path: Path) -> bool:
    """A ``zhnews run`` records file (its lines carry ``entities``), as opposed to a JSONL of input articles."""
    if path.suffix != ".jsonl":
        return False
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    return False
                return isinstance(obj, dict) and "entities" in obj and "links" in obj and "text" in obj
    return False


def collect_votes(records: Iterable[dict[str, Any]], *, opencc: str | None = "t2s") -> dict[str, TargetVotes]:
    """Votes per normalized target over records (``links`` and ``entities`` as in the output schema)."""
    table: dict[str, TargetVotes] = {}
    for record in records:
        entities = record.get("entities") or []
        for link in record.get("links") or []:
            start, end, target = link["start"], link["end"], link["target"]
            name = normalize_name(target, opencc)
            if not name:
                continue
            tv = table.setdefault(name, TargetVotes(first_form=name))
            tv.links += 1
            tv.surfaces[normalize_name(link["surface"], opencc)] += 1
            exact = [e for e in entities if e["start"] == start and e["end"] == end]
            containing = [e for e in entities if e["start"] <= start and end <= e["end"]]
            tv.votes[exact[0]["label"] if exact else NO_ENTITY] += 1
            if containing and not exact:
                tv.covered[containing[0]["label"]] += 1
    return table


def read_types(path: str | Path, opencc: str | None = "t2s") -> dict[str, str]:
    from pipeline.linkcheck.rules import read_typed_list

    return read_typed_list(path, lambda s: normalize_name(s, opencc))


def choose_patterns(
    table: dict[str, TargetVotes],
    *,
    types: dict[str, str] | None = None,
    min_count: int = 1,
    min_share: float = 0.2,
    common: frozenset[str] = COMMON_NOUNS,
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Patterns for the targets that are names, and counts of why the others were dropped."""
    types = types or {}
    patterns: list[dict[str, Any]] = []
    dropped: Counter[str] = Counter()
    for name in sorted(table):
        tv = table[name]
        entity_votes = Counter({lab: n for lab, n in tv.votes.items() if lab != NO_ENTITY})
        typed = types.get(name)
        if typed is not None:
            if typed.upper() in NON_ENTITY_LABELS:
                dropped["typed_list"] += 1
                continue
            label = typed
        else:
            if tv.links < min_count:
                dropped["min_count"] += 1
                continue
            if not entity_votes:
                dropped["never_predicted"] += 1
                continue
            if sum(entity_votes.values()) / tv.links < min_share:
                dropped["rarely_predicted"] += 1
                continue
            label = min(entity_votes, key=lambda lab: (-entity_votes[lab], lab))
            decision = decide(name, typed={}, common=common, gazetteer_label=None, model_label=label, jieba_flag=None)
            if not decision.is_entity:
                dropped[decision.basis] += 1
                continue
        extra = {
            "count": tv.links,
            "votes": dict(sorted(tv.votes.items())),
            "covered": dict(sorted(tv.covered.items())),
        }
        patterns.append({"label": label, "pattern": name, "id": name, **extra})
        for surface in sorted(tv.surfaces):  # [[X|shown]]: the shown form names X too, unless it is a target
            if surface != name and len(surface) > 1 and surface not in table:
                patterns.append({"label": label, "pattern": surface, "id": name, **extra})
    for name in sorted(set(types) - set(table)):  # the typed list is explicit knowledge: keep all of it
        if types[name].upper() not in NON_ENTITY_LABELS:
            patterns.append({"label": types[name], "pattern": name, "id": name, "count": 0, "votes": {}, "covered": {}})
    return patterns, dropped


@dataclass
class BuildResult:
    patterns: list[dict[str, Any]]
    dropped: Counter[str]
    targets: int
    links: int
    articles: int

    def summary(self) -> str:
        labels = Counter(p["label"] for p in self.patterns)
        return (
            f"{self.articles} articles, {self.links} links, {self.targets} distinct targets -> "
            f"{len(self.patterns)} patterns ({', '.join(f'{k} {v}' for k, v in sorted(labels.items()))}); dropped: "
            + (", ".join(f"{k} {v}" for k, v in self.dropped.most_common()) or "none")
        )


def build_gazetteer(
    records: Sequence[dict[str, Any]],
    out: str | Path,
    *,
    types: dict[str, str] | None = None,
    min_count: int = 1,
    min_share: float = 0.2,
    opencc: str | None = "t2s",
) -> BuildResult:
    table = collect_votes(records, opencc=opencc)
    patterns, dropped = choose_patterns(table, types=types, min_count=min_count, min_share=min_share)
    write_patterns(out, patterns)
    return BuildResult(patterns, dropped, len(table), sum(tv.links for tv in table.values()), len(records))
