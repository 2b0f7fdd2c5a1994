"""Layer 2: the same content from the same customer, on any channel, within the window."""

from datetime import timedelta

import pytest

from router.dedup.fingerprint import distance, fingerprint, fingerprints
from router.dedup.normalise import normalise
from router.dedup.verdict import DedupLayer
from tests.unit.dedup_helpers import COMPLAINT, DAY, T0, message, restart, state

LONG = (
    "I ordered the blue kettle three weeks ago and it still has not arrived. The tracking page "
    "has said 'label created' since the first day, your chat bot keeps sending me in circles "
    "and nobody answers the phone. I would like to know where my parcel is or get my money "
    "back. It was a birthday present and the birthday has passed."
)

# Variants of COMPLAINT that must be recognised as the same content.
SAME = {
    "case and whitespace": "MY PARCEL for order 12345   never arrived.\n\nthe tracking page has "
    "NOT changed for a week and nobody answers the phone.",
    "full-width forms": "My parcel for order １２３４５ never arrived．The tracking page has not "
    "changed for a week and nobody answers the phone．",
    "punctuation": "My parcel, for order #12345, never arrived!!! The tracking page has not "
    "changed for a week -- and nobody answers the phone",
    "greeting and sign-off": "Hello,\n\n" + COMPLAINT + "\n\nBest regards,\nAnn Example\nLondon",
    "quoted history": COMPLAINT + "\n\nOn Mon, 2 Nov 2026, Shop <help@shop.example> wrote:\n"
    "> Thank you for your order 12345!\n> It ships soon.",
    "mobile trailer": COMPLAINT + "\n\nSent from my iPhone",
    "signature block": COMPLAINT + "\n-- \nAnn Example\n+44 20 7946 0000",
    "inline thanks": COMPLAINT + " Thanks!",
}
# Similar messages that are different requests.
DIFFERENT = {
    "another order": COMPLAINT.replace("12345", "67890"),
    "another verb": "I want to return order 12345, the kettle leaks.",
    "longer request": COMPLAINT + " I want a refund for order 12345 and for the shipping fee.",
    "same opening": "My parcel for order 12345 never arrived. Please send it to my new address.",
}


@pytest.mark.parametrize("variant", sorted(SAME))
def test_formatting_differences_normalise_away(variant: str) -> None:
    assert normalise(SAME[variant]).text == normalise(COMPLAINT).text


@pytest.mark.parametrize("variant", sorted(SAME))
def test_same_complaint_by_email_then_chat_is_a_near_duplicate(variant: str) -> None:
    s = state()
    first = s.apply(message("e1"), T0)
    s.record_dispatch(message("e1"), first, "logistics", T0)
    chat = message("c1", SAME[variant], channel="webchat", at=T0 + timedelta(hours=2))
    v = s.apply(chat, chat.received_at)
    assert v.kind == "duplicate" and v.layer == DedupLayer.NEAR
    assert v.original_id == message("e1").id and v.case_id == first.case_id
    assert v.department == "logistics"
    assert v.contact_count == 2  # the customer did write twice


@pytest.mark.parametrize("variant", sorted(DIFFERENT))
def test_similar_but_different_requests_are_new(variant: str) -> None:
    s = state(thread_by_order=False)
    s.apply(message("e1"), T0)
    v = s.apply(message("c1", DIFFERENT[variant], channel="webchat"), T0 + timedelta(hours=1))
    assert v.kind == "new"


def test_cjk_variants() -> None:
    text = "我的订单12345一直没有收到，物流信息一个星期都没有更新，客服电话也打不通。"
    variants = [
        "您好，我的订单１２３４５一直没有收到 物流信息一个星期都没有更新，客服电话也打不通。谢谢",
        "我的订单12345一直没有收到！物流信息一个星期都没有更新！客服电话也打不通！\n发自我的iPhone",
        "你好，您好！我的订单12345一直没有收到，物流信息一个星期都没有更新，客服电话也打不通。谢谢，谢谢",
    ]
    for i, variant in enumerate(variants):
        s = state()
        s.apply(message("e1", text), T0)
        v = s.apply(message(f"c{i}", variant, channel="social"), T0 + timedelta(hours=1))
        assert v.layer == DedupLayer.NEAR, variant
    s = state(thread_by_order=False)
    s.apply(message("e1", text), T0)
    other = "我的订单12345一直没有收到，我要退货退款，客服电话也打不通。"
    assert s.apply(message("c9", other, channel="social"), T0).kind == "new"


def test_long_texts_tolerate_what_normalisation_missed() -> None:
    # A bare name under the text is not recognised as a signature; for a long text it is a
    # few SimHash bits of difference, within a threshold (how many bits it flips varies with
    # the text, so the test sets a generous threshold instead of relying on one text's luck).
    a, b = (fingerprint(normalise(t)) for t in (LONG, LONG + "\nAnn"))
    assert a != b and distance(a, b) <= 12
    for threshold, expected in ((12, "duplicate"), (0, "new")):
        s = state(near_max_distance=threshold)
        s.apply(message("e1", LONG), T0)
        signed = message("c1", LONG + "\nAnn", channel="webchat")
        assert s.apply(signed, T0 + timedelta(hours=1)).kind == expected


def test_short_texts_must_match_exactly() -> None:
    s = state()
    s.apply(message("e1", "Where is my order 55555?"), T0)
    assert s.apply(message("c1", "where is my order 55555", channel="webchat"), T0).layer == (
        DedupLayer.NEAR
    )
    s = state(thread_by_order=False)
    s.apply(message("e1", "Where is my order 55555?"), T0)
    assert s.apply(message("c1", "Where is my order 55555, Ann", channel="webchat"), T0).kind == (
        "new"
    )


@pytest.mark.parametrize("text", ["ok", "thanks", "谢谢", "yes please", "好的"])
def test_short_replies_are_never_near_duplicates(text: str) -> None:
    s = state()
    s.apply(message("c1", text, channel="webchat"), T0)
    assert s.apply(message("c2", text, channel="webchat"), T0).kind == "new"


def test_only_the_same_customer_and_tenant() -> None:
    s = state()
    s.apply(message("e1"), T0)
    assert s.apply(message("e2", email="bob@example.com"), T0).kind == "new"
    assert s.apply(message("e3", tenant="shop-b"), T0).kind == "new"


def test_window_edges() -> None:
    s = state(thread_by_order=False)
    s.apply(message("e1"), T0)
    assert s.apply(message("c1", channel="webchat"), T0 + DAY).layer == DedupLayer.NEAR
    s = state(thread_by_order=False)
    s.apply(message("e1"), T0)
    late = s.apply(message("c1", channel="webchat"), T0 + DAY + timedelta(seconds=1))
    assert late.kind == "new"


def test_repeats_point_at_the_dispatched_original() -> None:
    s = state()
    s.apply(message("e1"), T0)
    s.apply(message("c1", channel="webchat"), T0 + timedelta(hours=1))
    third = s.apply(message("s1", channel="social"), T0 + timedelta(hours=2))
    assert third.original_id == message("e1").id and third.contact_count == 3


def test_near_duplicate_straddling_a_restart() -> None:
    s = state()
    first = s.apply(message("e1"), T0)
    v = restart(s).apply(message("c1", SAME["greeting and sign-off"], channel="webchat"), T0)
    assert v.layer == DedupLayer.NEAR and v.case_id == first.case_id


def test_can_be_switched_off() -> None:
    s = state(near_enabled=False, thread_by_order=False)
    s.apply(message("e1"), T0)
    assert s.apply(message("c1", channel="webchat"), T0).kind == "new"


def test_a_flooding_sender_keeps_a_bounded_number_of_fingerprints() -> None:
    s = state(near_max_per_customer=5)
    for i in range(20):
        s.apply(message(f"m{i}", f"automated notice number {i} from the integration"), T0)
    assert len(s.near.table) == 5
    first = s.apply(message("r0", "automated notice number 0 from the integration"), T0)
    last = s.apply(message("r19", "automated notice number 19 from the integration"), T0)
    assert first.layer == DedupLayer.NEAR and last.kind == "new"


@pytest.mark.parametrize("size", [1, 2, 5, 50])
def test_batch_fingerprints_equal_one_at_a_time(size: int) -> None:
    texts = [
        COMPLAINT,
        LONG,
        *SAME.values(),
        *DIFFERENT.values(),
        "我的快递三天了还没到，请帮我查一下物流。",
        "订单12345 where is it",
        "",
        "a",
        "abc",
        "中",
        "好的",
        "hello hello hello hello",
    ]
    contents = [normalise(t) for t in texts]
    for i in range(0, len(contents), size):
        chunk = contents[i : i + size]
        assert fingerprints(chunk) == [fingerprint(c) for c in chunk]
