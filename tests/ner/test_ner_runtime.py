"""The numpy network a run predicts with (pipeline/ner/runtime.py) against the torch module it was trained as."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ner.component import WEIGHTS
from pipeline.ner.docs import make_doc
from pipeline.ner.labels import bioes_tags
from pipeline.ner.loader import load_ner_pipeline, model_needs_torch
from pipeline.ner.model import CharBiLSTMCRF, NetConfig, collate, inference_net
from pipeline.ner.runtime import collate_arrays
from pipeline.ner.train import load_ner_config, ner_pipe, train_ner
from tests.ner_fixtures import TINY_CORPUS, tiny_overrides, write_tiny_corpus

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "configs" / "ner.cfg"
LABELS = bioes_tags(["PER", "LOC", "ORG"])
SIZES = {"chars": 30, "bigrams": 40, "tags": 6}
NETS = {
    "lstm": NetConfig(hidden=12, char_dim=8, bigram_dim=6, seg_dim=3, tag_dim=4),
    "lstm-2-layers": NetConfig(hidden=10, layers=2, char_dim=8, bigram_dim=6, seg_dim=3, tag_dim=4),
    "cnn": NetConfig(encoder="cnn", hidden=16, char_dim=8, bigram_dim=6, seg_dim=3, tag_dim=4, dilations=(1, 2)),
}


def random_net(cfg: NetConfig, seed: int = 0) -> CharBiLSTMCRF:
    torch.manual_seed(seed)
    net = CharBiLSTMCRF(cfg, SIZES, LABELS)
    with torch.no_grad():
        for p in net.parameters():  # larger than the initial weights, so that paths differ from position to position
            p.normal_(0.0, 0.5)
    return net.eval()


def example(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "char": rng.integers(1, SIZES["chars"], n),
        "bl": rng.integers(1, SIZES["bigrams"], n),
        "br": rng.integers(1, SIZES["bigrams"], n),
        "seg": rng.integers(1, 5, n),
        "tag": rng.integers(1, SIZES["tags"], n),
        "lex": (rng.random((n, 15)) < 0.2).astype(np.float32),
    }


@pytest.mark.parametrize("name", sorted(NETS))
def test_numpy_network_computes_what_the_torch_module_computes(name: str) -> None:
    net = random_net(NETS[name])
    rng = np.random.default_rng(1)
    examples = [example(rng, n) for n in (1, 7, 23, 40)]  # ragged: padding after each sequence's end
    batch = collate(examples)
    with torch.no_grad():
        expected = net.emissions(batch)
    runtime = inference_net(net)
    got = runtime.emissions(collate_arrays(examples))
    mask = batch["mask"].numpy()
    assert np.abs(got[mask] - expected.numpy()[mask]).max() < 1e-4
    assert runtime.predict(collate_arrays(examples)) == net.crf.decode(expected, batch["mask"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=6), st.sampled_from(sorted(NETS)))
def test_a_sequences_path_does_not_depend_on_what_it_is_batched_with(lengths: list[int], name: str) -> None:
    runtime = inference_net(random_net(NETS[name]))
    rng = np.random.default_rng(sum(lengths))
    examples = [example(rng, n) for n in lengths]
    together = runtime.predict(collate_arrays(examples))
    assert together == [runtime.predict(collate_arrays([e]))[0] for e in examples]
    assert [len(p) for p in together] == lengths


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tinyruntime")
    corpus = write_tiny_corpus(root / "tiny.bio")
    cfg = load_ner_config(CONFIG, tiny_overrides(corpus, root / "cache", **{"training.max_epochs": 2}))
    train_ner(cfg, root / "out", echo=lambda _: None)
    return root / "out" / "model-last"


def test_a_saved_model_is_arrays_and_predicts_without_torch(tiny_model: Path) -> None:
    assert (tiny_model / "ner" / WEIGHTS).is_file() and not (tiny_model / "ner" / "weights.pt").exists()
    assert not model_needs_torch(tiny_model)
    with np.load(tiny_model / "ner" / WEIGHTS, allow_pickle=False) as npz:
        assert npz["char_emb.weight"].dtype == np.float16 and npz["out.weight"].dtype == np.float32
    texts = [s.text for s in TINY_CORPUS[:5]]
    expected = ner_pipe(load_ner_pipeline(tiny_model)).predict_spans([make_doc(t) for t in texts])
    script = f"""
import json, sys
from pipeline.core.torchfree import hide_torch
hide_torch()
from pipeline.ner.docs import make_doc
from pipeline.ner.loader import load_ner_pipeline
texts = json.loads(sys.argv[1])
spans = load_ner_pipeline({str(tiny_model)!r}).get_pipe("ner").predict_spans([make_doc(t) for t in texts])
import thinc.compat
assert "torch" not in sys.modules and not thinc.compat.has_torch
print(json.dumps(spans))
"""
    out = subprocess.run([sys.executable, "-c", script, json.dumps(texts)], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [[list(s) for s in doc] for doc in expected]


def test_a_format_1_model_with_torch_weights_still_loads(tiny_model: Path, tmp_path: Path) -> None:
    old = tmp_path / "old"
    load_ner_pipeline(tiny_model).to_disk(old)
    with np.load(old / "ner" / WEIGHTS, allow_pickle=False) as npz:
        state = {k: torch.from_numpy(npz[k].copy()) for k in npz.files}
    torch.save(state, old / "ner" / "weights.pt")
    (old / "ner" / WEIGHTS).unlink()
    meta = json.loads((old / "ner" / "vocab.json").read_text(encoding="utf-8"))
    (old / "ner" / "vocab.json").write_text(json.dumps({**meta, "format": 1}), encoding="utf-8")
    assert model_needs_torch(old)  # reading weights.pt takes torch
    docs = [make_doc(s.text) for s in TINY_CORPUS[:5]]
    assert ner_pipe(load_ner_pipeline(old)).predict_spans(docs) == ner_pipe(
        load_ner_pipeline(tiny_model)
    ).predict_spans([make_doc(s.text) for s in TINY_CORPUS[:5]])


def test_a_pipeline_with_other_components_may_need_torch(tiny_model: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    nlp = load_ner_pipeline(tiny_model)
    nlp.add_pipe("sentencizer")
    nlp.to_disk(other)
    assert model_needs_torch(other)
    assert model_needs_torch(tmp_path / "nowhere")
