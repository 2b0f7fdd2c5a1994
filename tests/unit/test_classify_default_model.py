"""The model shipped in router/models/: loads, routes obvious messages, meets the Bitext bar.

The Bitext check reads the third-party sample from ../shared/data when it is there (it is
never copied into the repository) and skips cleanly in a clone without it.
"""

from pathlib import Path

import pytest

from router.classify import DEPARTMENTS, TextModel
from router.classify.data import read_labelled
from router.classify.evaluate import evaluate

pytestmark = pytest.mark.unit

BITEXT_8K = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "bitext"
    / "bitext_cs_sample_8k_utterances.csv"
)


@pytest.fixture(scope="module")
def model() -> TextModel:
    return TextModel.load()


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("@ShopHelp where is my parcel?? tracking hasn't moved in a week", "logistics"),
        ("I was charged twice for the same order, please fix", "billing"),
        ("the app crashes every time I open it", "technical_support"),
        ("I want to return these shoes and get a refund", "returns"),
        ("please cancel my order, I ordered the wrong size", "orders"),
        ("your staff were incredibly rude, I want to make a complaint", "complaints"),
        ("how do I reset my password?", "customer_service"),
        ("快递一个星期了还没到,帮我查一下物流", "logistics"),
        ("同一个订单扣了我两次钱", "billing"),
        ("手机开不了机,一直黑屏", "technical_support"),
        ("衣服尺码不合适,我要退货退款", "returns"),
        ("帮我取消这个订单", "orders"),
        ("客服态度太差了,我要投诉", "complaints"),
    ],
)
def test_routes_obvious_messages(model: TextModel, text: str, department: str) -> None:
    assert model.predict(text).department == department


def test_shape_of_predictions(model: TextModel) -> None:
    assert set(model.departments) == set(DEPARTMENTS)
    assert len(model.version) == 16
    p = model.predict("where is my refund")
    assert p.intent == "track_refund"
    assert len(p.scores) == 3


def test_no_evidence_means_low_confidence(model: TextModel) -> None:
    for text in ("", "ok", "lol", "hello?", "哈哈", "sent you a dm"):
        assert model.predict(text).confidence < 0.5, text


@pytest.mark.skipif(not BITEXT_8K.exists(), reason="shared Bitext sample not present")
def test_bitext_held_out_macro_f1(model: TextModel) -> None:
    examples = read_labelled(BITEXT_8K).examples
    predictions = model.predict_many([e.text for e in examples])
    report = evaluate([e.department for e in examples], [p.department for p in predictions])
    assert report.macro_f1 >= 0.95
