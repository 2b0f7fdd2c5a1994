"""Train on a tiny in-test dataset, predict, and round-trip the artifact."""

from pathlib import Path

import numpy as np
import pytest

from router.classify import Prediction, TextModel
from router.classify.artifact import ModelLoadError, from_bytes, to_bytes, version_of, write
from router.classify.data import Example
from router.classify.features import FeatureSpec, hash_features
from router.classify.linear import TrainConfig
from router.classify.train import sample_weights, train

pytestmark = pytest.mark.unit

ROWS = {
    "logistics": [
        "where is my parcel",
        "tracking not updated",
        "my package is late",
        "快递到哪了",
        "物流一直不更新",
    ],
    "billing": [
        "charged twice for my order",
        "card payment failed",
        "need an invoice",
        "扣了我两次钱",
        "付款失败",
    ],
    "technical_support": [
        "the app keeps crashing",
        "my phone will not turn on",
        "wifi keeps dropping",
        "app闪退",
        "手机开不了机",
    ],
    "returns": [
        "i want a refund",
        "how do i return this jacket",
        "refund still not here",
        "我要退款",
        "怎么退货",
    ],
}
CONFIG = TrainConfig(epochs=40, batch_size=8, learning_rate=0.05)


def _examples() -> list[Example]:
    return [
        Example(text, dept, f"{dept}_intent" if i % 2 else None, "tiny.jsonl")
        for dept, texts in ROWS.items()
        for i, text in enumerate(texts)
    ]


@pytest.fixture(scope="module")
def model() -> TextModel:
    artifact = train(_examples(), config=CONFIG, min_df=1, calibrate=False)
    raw = to_bytes(artifact)
    return TextModel(from_bytes(raw), version_of(raw))


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("where is my parcel??", "logistics"),
        ("I was charged twice", "billing"),
        ("app crashing again", "technical_support"),
        ("refund please", "returns"),
        ("我的快递到哪了", "logistics"),
        ("我要退款", "returns"),
    ],
)
def test_predicts_trained_departments(model: TextModel, text: str, department: str) -> None:
    p = model.predict(text)
    assert p.department == department
    assert 0.0 < p.confidence <= 1.0
    assert p.scores[0] == (p.department, p.confidence)
    assert [s for _, s in p.scores] == sorted((s for _, s in p.scores), reverse=True)


def test_intent_belongs_to_predicted_department(model: TextModel) -> None:
    p = model.predict("where is my parcel")
    assert p.intent == "logistics_intent"


def test_batch_equals_single_and_handles_empty(model: TextModel) -> None:
    texts = ["where is my parcel", "", "   ", "😀", "invoice please", "我要退款"]
    batch = model.predict_many(texts)
    for one, many in zip((model.predict(t) for t in texts), batch, strict=True):
        # Same n-grams and weights; only the float summation order differs.
        assert (one.department, one.intent) == (many.department, many.intent)
        assert one.confidence == pytest.approx(many.confidence, abs=1e-5)
        assert [d for d, _ in one.scores] == [d for d, _ in many.scores]
    assert model.predict_many([]) == []
    empty = batch[1]
    assert isinstance(empty, Prediction)
    assert empty.confidence < 0.5  # no evidence: close to uniform, the router will triage


def test_save_load_round_trip(model: TextModel, tmp_path: Path) -> None:
    artifact = train(_examples(), config=CONFIG, min_df=1, calibrate=False)
    path = tmp_path / "m.bin"
    version = write(artifact, path)
    loaded = TextModel.load(path)
    assert loaded.version == version == version_of(path.read_bytes())
    texts = ["tracking not updated", "付款失败", "the app keeps crashing"]
    assert loaded.predict_many(texts) == model.predict_many(texts)
    assert loaded.departments == ("billing", "logistics", "returns", "technical_support")


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError):
        TextModel.load(tmp_path / "missing.bin")
    (tmp_path / "junk.bin").write_bytes(b"not a zip")
    with pytest.raises(ModelLoadError):
        TextModel.load(tmp_path / "junk.bin")


def test_features_do_not_cross_messages() -> None:
    spec = FeatureSpec()
    ids, buckets = hash_features(["ab", "cd"], spec)
    single = [set(hash_features([t], spec)[1].tolist()) for t in ("ab", "cd")]
    assert [set(buckets[ids == i].tolist()) for i in (0, 1)] == single
    assert np.all(np.diff(ids) >= 0)


def test_weights_balance_source_label_pairs() -> None:
    rows = [Example("x", "billing", None, "big.csv")] * 9 + [
        Example("y", "billing", None, "own.jsonl"),
        Example("z", "returns", None, "own.jsonl"),
    ]
    w = sample_weights(rows)
    assert w[:9].sum() == pytest.approx(w[9]) == pytest.approx(w[10])
