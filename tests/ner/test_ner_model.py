"""The char NER model's parts: features from real Docs, BIOES, CRF decoding, data split, training and saving."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from corpora.msra import read_conll_chars
from pipeline.errors import ConfigError, ModelError
from pipeline.eval.spans import corpus_span_scores, spans_to_bioes, tags_to_spans
from pipeline.ner.crf import CRF
from pipeline.ner.data import split_dev, train_dev_split
from pipeline.ner.docs import make_doc
from pipeline.ner.features import LEX_CLASSES, _cut_long, chunk_bounds, doc_parts
from pipeline.ner.labels import allowed_transitions, bioes_tags
from pipeline.ner.loader import load_ner_pipeline
from pipeline.ner.train import load_ner_config, ner_pipe, train_ner
from tests.ner_fixtures import TINY_CORPUS, tiny_overrides, write_tiny_corpus

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "configs" / "ner.cfg"


def lex_bits(mask: int) -> set[str]:
    return {f"{'BME'[b % 3]}-{LEX_CLASSES[b // 3]}" for b in range(3 * len(LEX_CLASSES)) if mask >> b & 1}


def test_lexicon_finds_word_inside_a_jieba_token() -> None:
    """驻日美军: whatever jieba's cut, 美军 is a dictionary word, so 美 is a word start and 军 a word end."""
    parts = doc_parts(make_doc("驻日美军司令部表示"))
    assert parts.norm == "驻日美军司令部表示"
    bits = [lex_bits(m) for m in parts.lex]
    assert any(b.startswith("B-") for b in bits[2])
    assert any(b.startswith("E-") for b in bits[3])


def test_lexicon_marks_place_names_in_a_compound() -> None:
    parts = doc_parts(make_doc("美国印度太平洋司令部"))
    bits = [lex_bits(m) for m in parts.lex]
    assert "B-ns" in bits[2] and "E-ns" in bits[3]  # 印度
    assert "B-ns" in bits[4] and "E-ns" in bits[6]  # 太平洋
    assert "B-ns" in bits[0] and "E-ns" in bits[1]  # 美国
    assert parts.seg[0] in (1, 4)  # first char opens a jieba token


def test_traditional_text_gives_the_same_features_as_simplified() -> None:
    simp = doc_parts(make_doc("驻日美军与印度太平洋司令部举行联合演习"))
    trad = doc_parts(make_doc("駐日美軍與印度太平洋司令部舉行聯合演習"))
    assert trad.norm == simp.norm
    assert trad.lex.tolist() == simp.lex.tolist()
    assert trad.seg.tolist() == simp.seg.tolist()


@pytest.mark.parametrize("hmm", [False, True])
def test_training_docs_are_the_docs_a_run_makes(hmm: bool) -> None:
    """make_doc uses the run-time tokenizer: the same tokens, norms and tags as the normalize + segment stages."""
    from pipeline.core.article import Article
    from pipeline.core.registry import create_stage

    text = "駐日美軍與印度太平洋司令部舉行聯合演習，韩冰冰和林芳正２０２４年见面。"
    article = create_stage("normalize", {})(Article(id="d", path="<d>", text=text))
    article = create_stage("segment", {"hmm": hmm})(article)
    assert article.doc is not None
    doc = make_doc(text, hmm=hmm)
    assert doc.text == text
    assert [(t.text, t.norm_, t.tag_, t.pos_) for t in doc] == [(t.text, t.norm_, t.tag_, t.pos_) for t in article.doc]


def test_fullwidth_digits_are_normalized_and_offsets_kept() -> None:
    text = "２０２２年，日本首相岸田文雄访问美国。"
    parts = doc_parts(make_doc(text))
    assert len(parts.norm) == len(text) == len(parts.seg) == len(parts.lex) == len(parts.tags)
    assert parts.norm.startswith("2022年")


@given(st.text(alphabet="北京的是。！？\n，abc 日本", max_size=400), st.integers(5, 60))
@settings(max_examples=200, deadline=None)
def test_chunks_are_ordered_bounded_and_cover_all_non_space_text(text: str, max_len: int) -> None:
    chunks = chunk_bounds(text, max_len)
    covered = set()
    prev_end = 0
    for s, e in chunks:
        assert prev_end <= s < e <= len(text)
        assert e - s <= max_len + 8  # closing quotes may follow a cut
        covered.update(range(s, e))
        prev_end = e
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def chunks_by_definition(text: str, max_len: int) -> list[tuple[int, int]]:
    """Character by character: a chunk ends after a sentence end and the closing quotes that follow it."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in "。！？!?；\n" or i == len(text) - 1:
            end = i + 1
            while end < len(text) and text[end] in "”’」』）)":
                end += 1
            if end > start:
                bounds.extend(_cut_long(text, start, end, max_len))
            start = end
    return [(s, e) for s, e in bounds if s < e and text[s:e].strip()]


@given(st.text(alphabet="北京的。！？!?；\n，、:abc ”’」』）)", max_size=300), st.integers(5, 60))
@settings(max_examples=200, deadline=None)
def test_chunks_are_those_of_the_character_by_character_definition(text: str, max_len: int) -> None:
    assert chunk_bounds(text, max_len) == chunks_by_definition(text, max_len)


span_lists = st.lists(st.tuples(st.integers(0, 30), st.integers(1, 5), st.sampled_from(["PER", "LOC", "ORG"])))


@given(span_lists)
def test_bioes_round_trip(raw: list[tuple[int, int, str]]) -> None:
    spans: list[tuple[int, int, str]] = []
    for start, length, label in sorted(raw):
        if not spans or start >= spans[-1][1]:
            spans.append((start, start + length, label))
    n = 40
    assert tags_to_spans(spans_to_bioes(spans, n)) == spans


def test_corpus_bio_is_decoded_with_the_conlleval_rules_scores_use(tmp_path: Path) -> None:
    """Changed on purpose: corpora decode BIO with pipeline.eval.spans (conlleval's rules, as every score is
    computed), no longer with a strict reader of their own: an orphan I- tag starts an entity."""
    text = "林北京市不李"
    tags = ["I-PER", "B-LOC", "I-LOC", "I-ORG", "O", "B-PER"]
    path = tmp_path / "orphans.bio"
    path.write_text("".join(f"{c}\t{t}\n" for c, t in zip(text, tags, strict=True)), encoding="utf-8")
    [sentence] = read_conll_chars(path)
    assert sentence.text == text
    assert list(sentence.spans) == [(0, 1, "PER"), (1, 3, "LOC"), (3, 4, "ORG"), (5, 6, "PER")]
    assert sentence.char_spans() == tags_to_spans(tags)


def test_span_scores_on_a_hand_computed_case() -> None:
    gold = [[(0, 2, "LOC"), (3, 5, "PER")], [(0, 3, "ORG")]]
    pred = [[(0, 2, "LOC"), (3, 4, "PER")], [(0, 3, "ORG"), (4, 5, "LOC")]]
    s = corpus_span_scores(zip(gold, pred, strict=True)).to_dict()
    assert s["micro"]["precision"] == pytest.approx(2 / 4)
    assert s["micro"]["recall"] == pytest.approx(2 / 3)
    assert s["per_type"]["LOC"]["precision"] == pytest.approx(1 / 2)
    assert s["per_type"]["PER"]["f1"] == 0.0


def _all_paths(length: int, num: int) -> list[tuple[int, ...]]:
    return list(itertools.product(range(num), repeat=length))


def test_crf_viterbi_and_partition_match_brute_force() -> None:
    torch.manual_seed(0)
    labels = bioes_tags(["PER"])  # O B I E S: 5 tags, with forbidden transitions
    start_ok, follow_ok, end_ok = allowed_transitions(labels)
    crf = CRF(len(labels), start_ok=start_ok, follow_ok=follow_ok, end_ok=end_ok)
    with torch.no_grad():
        crf.transitions.normal_()
        crf.start.normal_()
        crf.end.normal_()
    emissions = torch.randn(2, 4, len(labels))
    mask = torch.tensor([[True, True, True, True], [True, True, True, False]])
    decoded = crf.decode(emissions, mask)
    log_z = crf.log_partition(emissions, mask)
    for b, length in enumerate((4, 3)):
        paths = _all_paths(length, len(labels))
        em = emissions[b : b + 1, :length]
        m = torch.ones(1, length, dtype=torch.bool)
        scores = torch.stack([crf.score(em, torch.tensor([p]), m)[0] for p in paths])
        best = paths[int(scores.argmax())]
        assert tuple(decoded[b]) == best
        assert log_z[b].item() == pytest.approx(torch.logsumexp(scores, 0).item(), abs=1e-4)
        # every decoded path is well-formed BIOES
        assert tags_to_spans([labels[t] for t in best]) is not None
        assert start_ok[best[0]] and end_ok[best[-1]]
        assert all(follow_ok[a][c] for a, c in itertools.pairwise(best))


def test_dev_split_is_seeded_disjoint_and_complete() -> None:
    train, dev = split_dev(1000, 0.05, 13)
    assert len(dev) == 50 and not set(train) & set(dev) and len(train) + len(dev) == 1000
    assert split_dev(1000, 0.05, 13) == (train, dev)
    assert split_dev(1000, 0.05, 14)[1] != dev


def test_train_dev_split_of_a_config_is_seeded_and_disjoint(tmp_path: Path) -> None:
    corpus = write_tiny_corpus(tmp_path / "tiny.bio", repeat=5)
    cfg = load_ner_config(CONFIG, tiny_overrides(corpus, tmp_path / "cache", **{"corpora.dev_fraction": 0.2}))
    train, dev = train_dev_split(cfg)
    assert len(train) + len(dev) == 5 * len(TINY_CORPUS) and len(dev) == len(TINY_CORPUS)
    assert train_dev_split(cfg) == (train, dev)
    assert {s.text for s in dev} <= {s.text for s in TINY_CORPUS}
    assert all(s.char_spans() == [tuple(sp) for sp in s.spans] for s in dev)
    assert any(s.char_spans() for s in dev)


def test_config_overrides_and_relative_paths(tmp_path: Path) -> None:
    cfg = load_ner_config(CONFIG, {"training.max_epochs": 3})
    assert cfg["training"]["max_epochs"] == 3
    assert Path(cfg["corpora"]["path"]).is_absolute()
    assert cfg["corpora"]["path"].endswith("msra_ner/msra_train_bio")
    with pytest.raises(ConfigError):
        load_ner_config(tmp_path / "missing.cfg")


def test_conll_reader_rejects_malformed_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bio"
    bad.write_text("北\tB-LOC\n京 I-LOC extra\n", encoding="utf-8")
    with pytest.raises(Exception, match="expected"):
        read_conll_chars(bad)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tinyner")
    corpus = write_tiny_corpus(root / "tiny.bio")
    cfg = load_ner_config(CONFIG, tiny_overrides(corpus, root / "cache"))
    train_ner(cfg, root / "out", echo=lambda _: None)
    return root / "out"


def test_tiny_training_lowers_the_loss_and_logs_every_epoch(tiny_run: Path) -> None:
    log = [json.loads(line) for line in (tiny_run / "training_log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in log] == list(range(1, len(log) + 1))
    assert log[-1]["loss"] < log[0]["loss"] / 2
    assert {"micro", "per_type"} <= set(log[-1]["dev"])
    assert (tiny_run / "model-best" / "ner" / "weights.npz").is_file()


def test_saved_model_reloads_and_predicts_like_the_trained_one(tiny_run: Path) -> None:
    nlp_a = load_ner_pipeline(tiny_run / "model-last")
    nlp_b = load_ner_pipeline(tiny_run / "model-last")
    docs = [make_doc(s.text) for s in TINY_CORPUS]
    a = ner_pipe(nlp_a).predict_spans(docs)
    b = ner_pipe(nlp_b).predict_spans([make_doc(s.text) for s in TINY_CORPUS])
    assert a == b
    # the tiny model has memorized most of its training names
    found = sum(len(set(p) & set(s.spans)) for p, s in zip(a, TINY_CORPUS, strict=True))
    assert found >= sum(len(s.spans) for s in TINY_CORPUS) // 2


def test_training_is_reproducible_with_the_same_seed(tiny_run: Path, tmp_path: Path) -> None:
    corpus = write_tiny_corpus(tmp_path / "tiny.bio")
    cfg = load_ner_config(CONFIG, tiny_overrides(corpus, tmp_path / "cache", **{"training.max_epochs": 2}))
    train_ner(cfg, tmp_path / "again", echo=lambda _: None)
    first = [json.loads(x)["loss"] for x in (tiny_run / "training_log.jsonl").read_text().splitlines()][:2]
    again = [json.loads(x)["loss"] for x in (tmp_path / "again" / "training_log.jsonl").read_text().splitlines()]
    assert again == pytest.approx(first, rel=1e-5)


def test_weight_average_moves_towards_the_weights_and_swaps_back() -> None:
    from pipeline.ner.train import _WeightAverage

    layer = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        layer.weight.fill_(0.0)
    average = _WeightAverage(layer, 0.75)
    with torch.no_grad():
        layer.weight.fill_(4.0)
    average.update()  # 0.75 * 0 + 0.25 * 4
    average.swap()
    assert layer.weight.tolist() == [[1.0, 1.0]]
    average.swap()
    assert layer.weight.tolist() == [[4.0, 4.0]]
    off = _WeightAverage(layer, 0.0)  # no averaging: nothing held, swap is a no-op
    off.update()
    off.swap()
    assert layer.weight.tolist() == [[4.0, 4.0]] and off.shadow == []


def test_averaged_training_follows_the_same_trajectory_and_saves_the_average(tmp_path: Path) -> None:
    corpus = write_tiny_corpus(tmp_path / "tiny.bio")
    runs = {}
    for name, decay in (("plain", 0.0), ("ema", 0.9)):
        extra = {"training.max_epochs": 2, "training.ema_decay": decay}
        cfg = load_ner_config(CONFIG, tiny_overrides(corpus, tmp_path / "cache", **extra))
        train_ner(cfg, tmp_path / name, echo=lambda _: None)
        log = [json.loads(x) for x in (tmp_path / name / "training_log.jsonl").read_text().splitlines()]
        with np.load(tmp_path / name / "model-last" / "ner" / "weights.npz", allow_pickle=False) as npz:
            weights = {k: npz[k] for k in npz.files}
        runs[name] = ([r["loss"] for r in log], weights)
    # averaging draws no random numbers and changes no step: the same losses; what is saved is the average
    assert runs["ema"][0] == pytest.approx(runs["plain"][0], rel=1e-5)
    plain, ema = runs["plain"][1], runs["ema"][1]
    assert any(not np.array_equal(ema[k], plain[k]) for k in plain)


def test_component_batches_do_not_change_predictions(tiny_run: Path) -> None:
    nlp = load_ner_pipeline(tiny_run / "model-last")
    pipe = ner_pipe(nlp)
    docs = [make_doc(s.text) for s in TINY_CORPUS]
    together = pipe.predict_spans(docs)
    alone = [pipe.predict_spans([d])[0] for d in [make_doc(s.text) for s in TINY_CORPUS]]
    assert together == alone


def test_loading_a_missing_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        load_ner_pipeline(tmp_path / "nothing")


def test_encoded_features_have_one_row_per_character(tiny_run: Path) -> None:
    pipe = ner_pipe(load_ner_pipeline(tiny_run / "model-last"))
    assert pipe.vocab_ is not None
    text = "日本外相林芳正\n\n在東京說。"
    feats = pipe.vocab_.encode(doc_parts(make_doc(text)))
    assert {len(v) for v in feats.values()} == {len(text)}
    assert np.all(feats["char"] > 0)


def test_block_split_is_contiguous_disjoint_and_leaves_gaps() -> None:
    from pipeline.ner.data import split_blocks

    train, dev = split_blocks(10_000, 0.06, 3, 10)
    assert len(dev) == 600 and dev[-1] == 9_999
    runs = [d for i, d in enumerate(dev) if i == 0 or dev[i - 1] != d - 1]
    assert len(runs) == 3  # three runs of consecutive sentences
    assert not set(train) & set(dev)
    near = {t for t in train if any(0 < abs(t - d) <= 10 for d in (dev[0], dev[199], dev[200], dev[399]))}
    assert not near  # the gap around every block edge is out of training


def test_latin_rules_join_names_drop_furniture_and_snap_to_words() -> None:
    from pipeline.ner.latin import fix_latin_spans

    text = "参议员Chuck Schumer表示。Terms of use。steelworks被围。"
    spans = [(3, 8, "PER"), (19, 24, "PER"), (32, 37, "LOC")]
    out = fix_latin_spans(text, spans)
    assert (3, 16, "PER") in out  # Chuck -> Chuck Schumer
    assert all(text[s:e] != "Terms" for s, e, _ in out)
    assert (32, 42, "LOC") in out  # steel -> steelworks
    assert fix_latin_spans("中国外交部", [(0, 2, "LOC")]) == [(0, 2, "LOC")]


def _latin_rules_by_walking(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The Latin rules as first written, walking to word edges character by character: the definition that
    ``fix_latin_spans`` (which finds the words once) must match."""
    from pipeline.ner.latin import _JOINERS, NOT_NAMES, ORG_HEADS, PLATFORMS, _latin

    def word(ch: str) -> bool:
        return ch.isascii() and (ch.isalnum() or ch in "'-")

    out: list[tuple[int, int, str]] = []
    n, taken = len(text), sorted(spans)
    for k, (s, e, lab) in enumerate(taken):
        while s > 0 and word(text[s - 1]) and word(text[s]):
            s -= 1
        while e < n and word(text[e - 1]) and word(text[e]):
            e += 1
        if lab == "PER" and _latin(text[e - 1]):
            limit = taken[k + 1][0] if k + 1 < len(taken) else n
            words = len(text[s:e].split())
            while words < 4 and e + 1 < limit and text[e] in _JOINERS and text[e + 1].isupper() and _latin(text[e + 1]):
                j = e + 1
                while j < n and word(text[j]):
                    j += 1
                if j > limit:
                    break
                e, words = j, words + 1
        piece = text[s:e]
        if lab == "PER" and piece and all(word(c) or c in _JOINERS for c in piece) and any(_latin(c) for c in piece):
            w = piece.replace("·", " ").split()
            if w[-1] in ORG_HEADS or (len(w) == 1 and w[0] in PLATFORMS):
                lab = "ORG"
            elif (
                any(not x[0].isupper() for x in w)
                or any(len(x) >= 2 and x.isupper() for x in w)
                or (len(w) == 1 and w[0] in NOT_NAMES)
            ):
                continue
        if out and s < out[-1][1]:
            if e - s > out[-1][1] - out[-1][0]:
                out[-1] = (s, e, lab)
            continue
        out.append((s, e, lab))
    return out


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_latin_rules_match_their_character_walking_definition(data: st.DataObject) -> None:
    from pipeline.ner.latin import fix_latin_spans

    pieces = st.sampled_from(
        ["Chuck", " ", "Schumer", "ROL", "Foundation", "via", "·", "中国", "表示", "-", "'s", "7", "。"]
    )
    text = "".join(data.draw(st.lists(pieces, min_size=1, max_size=12)))
    bounds = st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text)), st.sampled_from(["PER", "ORG", "LOC"]))
    spans = [(a, b, lab) for a, b, lab in data.draw(st.lists(bounds, max_size=6)) if a < b]
    assert fix_latin_spans(text, spans) == _latin_rules_by_walking(text, spans)


def test_latin_rules_cost_stays_linear_inside_one_huge_word() -> None:
    import time

    from pipeline.ner.latin import fix_latin_spans

    def seconds(n: int) -> float:
        text = "a" * n
        spans = [(i, i + 3, "PER") for i in range(0, n - 3, 200)]  # as the model tags a letter run
        t = time.perf_counter()
        assert fix_latin_spans(text, spans) == []  # one lower-case "name": dropped
        return time.perf_counter() - t

    seconds(1000)
    small, big = seconds(20_000), seconds(200_000)
    assert big < 30 * small + 0.05  # 10x the text: 100x when every span walked the whole word


def test_cnn_encoder_outputs_do_not_depend_on_the_batch() -> None:
    from pipeline.ner.model import CharBiLSTMCRF, NetConfig, collate

    torch.manual_seed(0)
    net = CharBiLSTMCRF(
        NetConfig(encoder="cnn", hidden=16, char_dim=8, bigram_dim=4),
        {"chars": 20, "bigrams": 20, "tags": 5},
        bioes_tags(["PER"]),
    )
    net.eval()

    def ex(n: int) -> dict[str, np.ndarray]:
        r = np.arange(2, 2 + n) % 18 + 2
        return {
            "char": r,
            "bl": r,
            "br": r,
            "seg": np.full(n, 4),
            "tag": np.full(n, 2),
            "lex": np.zeros((n, 15), np.float32),
        }

    alone = net.emissions(collate([ex(5)]))[0]
    batched = net.emissions(collate([ex(5), ex(40)]))[0, :5]
    assert torch.allclose(alone, batched, atol=1e-5)
