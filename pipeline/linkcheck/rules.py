"""Which link targets are named entities, and of what type: the rule the link check applies, in one place.

The corpus's tags come from a dictionary linker (see ``shared/data/gnews_ourhimalayas/SOURCE.md``): it links
common nouns (外交, 国家, 飞机), dates (4月, 5月2日), job titles (日本首相) as readily as names. Counting those as
entities the model "missed" would measure the linker, not the model, so each target is decided by the first
rule that applies, strongest evidence first:

1. ``typed_list``: the user's typed list (``target<TAB>label``) says so; label ``O`` marks a non-entity.
2. ``date_number``: the target is a date, time, number or percentage (4月, 5月2日, 2025, 周一, 3%).
3. ``common_noun``: the target is on the common-noun list (built-in :data:`COMMON_NOUNS` plus a file).
4. ``gazetteer``: the gazetteer has the target, with its label.
5. ``model``: in this article the NER model predicted an entity with exactly the link's span, or one that
   contains it (驻日美军 ⊇ 美军); its label types the target.
6. ``role_title``: the target ends in a title or generic head (日本首相, 国防部长, 白宫新闻秘书, 日本媒体,
   消息人士): a description of a person or group, not a name.
7. ``jieba``: the target is a word of jieba's dictionary: a proper-noun flag (nr/ns/nt → PER/LOC/ORG, nz/j
   untyped) makes it an entity, any other flag (n, v, a …) a common word.
8. ``common_compound``: a target of three or more characters that jieba cuts into several words, none of them
   a proper noun (nr/ns/nt/nz/j, Latin, a ``·`` between name parts) and the last not an organization head
   (委员会, 论坛, 协会 …): a phrase of common words (接种疫苗, 核酸检测, 数字货币), not a name.
9. ``unknown_word``: none of the above: an out-of-dictionary word is most likely a name (推特, 戴琪,
   人权理事会), so it is counted as an (untyped) entity; a miss on it is then visible in the worklist rather than
   silently excused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import DataError

NON_ENTITY_LABELS = frozenset({"O", "NONE", "-", ""})
UNTYPED = "UNTYPED"

# Nouns the corpus's linker tags that are never names (simplified; targets are normalized before lookup).
COMMON_NOUNS: frozenset[str] = frozenset(
    """
    国家 公司 银行 政府 历史 能源 政治 外交 经济 军事 安全 国防 媒体 新闻 记者 官员 人民 社会 文化 教育 科技
    技术 网络 互联网 疫情 病毒 疫苗 战争 和平 民主 自由 人权 法律 法院 警察 军队 市场 股市 投资 贸易 货币 美元
    人民币 欧元 日元 通货膨胀 通胀 利率 国内生产总值 经济增长 总统 首相 总理 部长 主席 议员 大使 外长 峰会 高峰
    会议 会谈 消息人士 交易所 飞机 军舰 导弹 核武器 航母 卫星 芯片 半导体 石油 天然气 电力 汽车 企业 工厂 农业 工业
    宗教 基督教 佛教 伊斯兰教 共产主义 社会主义 资本主义 独裁 腐败 间谍 难民 移民 选举 投票 大选 制裁 关税 出口
    进口 联盟 盟友 领土 主权 边境 海军 陆军 空军 士兵 总部 司令部 指挥官 学生 大学 医院 医生 儿童 家庭 网站
    手机 社交媒体 视频 直播 地区 首都 城市 省份
    """.split()
)

# heads that make a target a description (a role, an office, a group, an event), not a name
ROLE_HEADS: tuple[str, ...] = (
    "总统", "首相", "总理", "部长", "长官", "秘书", "发言人", "主席", "大使", "议员", "外长", "国务卿", "司令",
    "官员", "记者会", "峰会", "会谈", "媒体", "人士", "专家", "领导人",
)  # fmt: skip

_NUM = "0-9０-９一二三四五六七八九十百千万亿零〇两几半"
_DATE_NUMBER = re.compile(
    rf"^(?:[{_NUM}.,，．]+(?:年代|世纪|周年|年|月份|月|日|号|时|点|分钟|分|秒|岁|亿|万|多|余)?)+[%％]?$"
    r"|^(?:星期|礼拜|周)[一二三四五六日天]$"
    r"|^(?:今|昨|明|前|后)(?:天|日|年)$"
)

# heads that make a phrase of common words an organization's name (人权理事会, 世界经济论坛)
ORG_HEADS: tuple[str, ...] = (
    "委员会", "理事会", "论坛", "协会", "基金会", "联盟", "组织", "集团", "银行", "大学", "学院", "研究所",
    "研究院", "法院", "议会", "党", "社", "局", "署", "厅", "台", "报",
)  # fmt: skip
PROPER_FLAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "j", "eng"})

JIEBA_TYPES: Mapping[str, str | None] = {
    "nr": "PER",
    "nrt": "PER",
    "nrfg": "PER",
    "ns": "LOC",
    "nt": "ORG",
    "nz": None,
    "j": None,
}


@dataclass(frozen=True)
class TargetType:
    """The decision on one link target: entity or not, its label if known, and the rule that decided."""

    is_entity: bool
    label: str | None
    basis: str

    @property
    def bucket(self) -> str:
        """The per-type row a link is counted in."""
        return self.label or UNTYPED


def is_date_or_number(name: str) -> bool:
    return bool(_DATE_NUMBER.match(name))


def role_head(name: str) -> str | None:
    """The title/generic head a target ends in, if it is longer than the head itself (总统 alone is a noun)."""
    for head in ROLE_HEADS:
        if name.endswith(head) and len(name) > len(head):
            return head
    return None


def decide(
    name: str,
    *,
    typed: Mapping[str, str],
    common: frozenset[str],
    gazetteer_label: str | None,
    model_label: str | None,
    jieba_flag: str | None,
    pieces: Sequence[tuple[str, str]] = (),
) -> TargetType:
    """Apply the rules of the module docstring, in order, to a normalized target ``name``."""
    if name in typed:
        label = typed[name]
        if label.upper() in NON_ENTITY_LABELS:
            return TargetType(False, None, "typed_list")
        return TargetType(True, label, "typed_list")
    if is_date_or_number(name):
        return TargetType(False, None, "date_number")
    if name in common:
        return TargetType(False, None, "common_noun")
    if gazetteer_label:
        return TargetType(True, gazetteer_label, "gazetteer")
    if model_label:
        return TargetType(True, model_label, "model")
    if role_head(name):
        return TargetType(False, None, "role_title")
    if jieba_flag:
        if jieba_flag in JIEBA_TYPES:
            return TargetType(True, JIEBA_TYPES[jieba_flag], "jieba")
        return TargetType(False, None, "jieba")
    if is_common_compound(name, pieces):
        return TargetType(False, None, "common_compound")
    return TargetType(True, None, "unknown_word")


def is_common_compound(name: str, pieces: Sequence[tuple[str, str]]) -> bool:
    """Rule 8: ``pieces`` are jieba's ``(word, flag)`` for ``name``."""
    if len(name) < 3 or len(pieces) < 2:
        return False
    if any(flag in PROPER_FLAGS or word == "·" for word, flag in pieces):
        return False
    return not name.endswith(ORG_HEADS)


def read_typed_list(path: str | Path, normalize: Callable[[str], str]) -> dict[str, str]:
    """``target<TAB>label`` lines (``#`` comments allowed) keyed by normalized target."""
    typed: dict[str, str] = {}
    for lineno, line in _lines(path, "typed list"):
        target, sep, label = line.partition("\t")
        if not sep or not target.strip():
            raise DataError(f"{path}:{lineno}: expected 'target<TAB>label', got {line[:60]!r}")
        typed[normalize(target)] = label.strip()
    return typed


def read_word_list(path: str | Path, normalize: Callable[[str], str]) -> frozenset[str]:
    """One word a line (``#`` comments allowed), normalized."""
    return frozenset(normalize(line.split("\t")[0]) for _, line in _lines(path, "word list"))


def _lines(path: str | Path, what: str) -> Iterable[tuple[int, str]]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{what} {p} not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{what} {p}: not UTF-8 ({exc.reason})") from None
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield lineno, line.rstrip()
