"""Stop words for Chinese news, in normalized (simplified, half-width) form.

A small hand-written list rather than a downloaded one: function words, pronouns, auxiliaries, conjunctions and the
boiler-plate of Chinese news copy (记者, 报道, 新浪 …) that dominates topic models without telling topics apart.
Negations and degree words (不, 没有, 很 …) are deliberately NOT here: they carry stance, and the stance features
use them; the topic model drops them through :func:`is_content_token` instead. Punctuation, digits,
single Latin letters and URL pieces (:data:`WEB_NOISE`) are filtered by :func:`is_content_token`.
"""

from __future__ import annotations

import re

FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    的 了 着 过 地 得 之 所 以 而 且 并 及 与 和 跟 同 或 或者 还是 及其 以及 而且 并且 但 但是 然而 可是 不过 只是
    因为 所以 因此 因而 由于 如果 假如 若 虽然 尽管 即使 既然 于是 然后 接着 此外 另外 同时 其中 其他 其它 其余
    在 从 自 自从 向 往 对 对于 关于 把 被 让 给 为 为了 以便 按 按照 根据 通过 经过 随着 除了 比 将 由 于 至 到
    是 有 没 也 都 就 才 又 再 还 已 已经 曾 曾经 正 正在 将要 会 能 能够 可 可以 可能 应 应该 要 需要 想 得以
    我 我们 你 你们 您 他 他们 她 她们 它 它们 自己 大家 咱们 人家 别人 谁 什么 怎么 怎样 如何 哪 哪里 哪些 为什么
    这 那 这个 那个 这些 那些 这样 那样 这里 那里 这种 那种 此 该 其 每 各 某 本 另 一些 一个 一种 一样 一直 一起
    个 些 种 次 位 名 家 年 月 日 号 时 点 分 今天 昨天 明天 目前 当时 此前 近日 日前 今年 去年 明年 目前为止
    上 下 中 内 外 里 前 后 间 以上 以下 以来 以后 之后 之前 之间 之一 方面 时候 时间 期间 当中
    啊 吧 呢 吗 呀 嘛 哦 哈 啦 嗯 么 的话 等 等等 之类 而已 罢了 来 去 说 道 称 表示 认为 指出 提出 进行 作为
    成为 有关 相关 一方面 另一方面 目前 现在 今后 已然 同样 更 最 较 比较 非常 十分 特别 尤其 甚至 其实 当然
    新华社 新浪 记者 报道 报道称 消息 讯 据 据悉 据了解 了解 获悉 介绍 编辑 责任编辑 来源 原标题 图 组图 视频
    """.split()
)

# English function words that mixed-language reposts carry (compared lower-cased)
ENGLISH_FUNCTION_WORDS: frozenset[str] = frozenset(
    "the a an of to in on at for and or but is are was were be been by with from as that this it its".split()
)

# pieces of URLs and file names that reposted articles carry in their text (https, com, mp4 ...)
WEB_NOISE: frozenset[str] = frozenset("http https www com cn net org html htm php mp4 mp3 jpg jpeg png gif pdf".split())

_LATIN_NOISE = WEB_NOISE | ENGLISH_FUNCTION_WORDS
_HAS_WORD_CHAR = re.compile(r"[\w]", re.UNICODE)
_ONLY_DIGITS = re.compile(r"^[\d.,%:/\-+]+$")


def is_content_token(token: str, *, stop_words: frozenset[str] = FUNCTION_WORDS) -> bool:
    """True for tokens worth counting as topic terms: not a stop word, not punctuation, digits or one Latin letter."""
    token = token.strip()
    if (
        not token
        or token in stop_words
        or token.lower() in WEB_NOISE | ENGLISH_FUNCTION_WORDS
        or not _HAS_WORD_CHAR.search(token)
    ):
        return False
    if _ONLY_DIGITS.match(token):
        return False
    return not (len(token) == 1 and token.isascii())
