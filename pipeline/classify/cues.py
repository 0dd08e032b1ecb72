"""A small sentiment, negation and rhetoric cue lexicon for stance, written for this project.

Why a lexicon when n-grams already see every word: a stance model gets about 600 posts per target, too few for
it to learn that 失望 and 垃圾 point the same way, or that 不支持 flips 支持. These counts are shared across
targets and give the classifier a handful of dense, general features it can weigh per target.

The lists are deliberately short, general Weibo/news vocabulary (normalized, simplified forms), not words picked
from the training data's targets. Matching is on jieba tokens, plus a substring pass for multi-character cues
that jieba may split differently. A polar cue with a negation among the three tokens before it counts as the
opposite polarity ("negated positive" is its own feature: 不好 is not quite 坏).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

POSITIVE: frozenset[str] = frozenset(
    """
    支持 赞成 同意 赞 点赞 赞同 拥护 喜欢 爱 热爱 喜爱 期待 希望 值得 应该 必须 好 很好 挺好 真好 不错 棒 很棒
    优秀 出色 完美 精彩 漂亮 好看 美 美丽 良心 划算 实惠 便宜 给力 厉害 牛 威武 霸气 强大 感谢 谢谢 感动 开心
    快乐 高兴 幸福 温暖 热闹 喜庆 欢乐 安全 放心 满意 成功 进步 正确 合理 英明 正义 明智 伟大 加油 恭喜 祝福
    有用 方便 舒服 安心 靠谱 欣慰 赞美 好评 推荐 想要 想买 心动 必买 喜欢上 有意义 有必要 利大于弊 好事 福音
    """.split()
)

NEGATIVE: frozenset[str] = frozenset(
    """
    反对 不满 抗议 抵制 拒绝 失望 绝望 讨厌 厌恶 恶心 垃圾 坑 坑爹 差 太差 糟糕 烂 难看 丑 贵 太贵 昂贵 骗 骗子
    欺骗 忽悠 呵呵 吐槽 无语 郁闷 生气 愤怒 气愤 可怕 害怕 担心 担忧 危险 危害 伤害 受伤 死 死亡 污染 雾霾 噪音
    扰民 吵 麻烦 困难 难 累 痛苦 可怜 悲剧 惨 荒唐 荒谬 可笑 滑稽 无耻 愚蠢 傻 蠢 脑残 懒政 一刀切 霸王 霸道
    强制 野蛮 粗暴 不公 不公平 违法 混乱 乱 失败 错误 问题 缺陷 毛病 后悔 没用 浪费 鸡肋 不值 坑人 黑心 虚伪
    利小于弊 祸害 灾难 罪 罪魁祸首 祸首 滚 呸 恐怖 侵略 干涉 霸权 不行 有病
    """.split()
)

NEGATIONS: frozenset[str] = frozenset(
    "不 没 没有 别 不要 未 无 非 莫 勿 毫无 并非 不是 不会 不能 不该 不必 绝不 从不 决不".split()
)

RHETORICAL: frozenset[str] = frozenset("难道 岂 凭什么 为什么 为何 怎么 怎能 何必 何况 究竟 到底 竟然 居然".split())

INTENSIFIERS: frozenset[str] = frozenset("很 太 非常 极 极其 超 特别 真 真的 实在 十分 相当 最 越来越 简直".split())

CUE_NAMES: tuple[str, ...] = (
    "positive",
    "negative",
    "negated_positive",
    "negated_negative",
    "negation",
    "rhetorical",
    "intensifier",
    "question_mark",
    "exclamation_mark",
    "polarity",
)

NEGATION_WINDOW = 3


def cue_counts(tokens: Sequence[str]) -> np.ndarray:
    """Counts of each cue in :data:`CUE_NAMES` order, log-scaled so one long post does not dominate."""
    counts = dict.fromkeys(CUE_NAMES, 0.0)
    last_negation = -(NEGATION_WINDOW + 1)
    for i, token in enumerate(tokens):
        if token in NEGATIONS:
            counts["negation"] += 1
            last_negation = i
            continue
        negated = i - last_negation <= NEGATION_WINDOW
        if token in POSITIVE:
            counts["negated_positive" if negated else "positive"] += 1
        elif token in NEGATIVE:
            counts["negated_negative" if negated else "negative"] += 1
        elif token in RHETORICAL:
            counts["rhetorical"] += 1
        elif token in INTENSIFIERS:
            counts["intensifier"] += 1
        counts["question_mark"] += token.count("?") + token.count("？")
        counts["exclamation_mark"] += token.count("!") + token.count("！")
    counts["polarity"] = (counts["positive"] + counts["negated_negative"]) - (
        counts["negative"] + counts["negated_positive"]
    )
    values = np.array([counts[name] for name in CUE_NAMES], dtype=np.float64)
    return np.sign(values) * np.log1p(np.abs(values))
