"""Layer 3: follow-ups join the open case (email thread, chat session, order number)."""

from datetime import timedelta
from typing import Any

from router.dedup.verdict import DedupLayer
from router.state.partition import PartitionState
from tests.unit.dedup_helpers import DAY, T0, message, restart, state

HOUR = timedelta(hours=1)


def email(cmid: str, text: str, at_h: float = 0, **thread: Any) -> Any:
    return message(cmid, text, at=T0 + timedelta(hours=at_h), thread=thread)


def opened(s: PartitionState, department: str = "returns") -> str:
    first = email("<a@mail>", "I want to return the kettle", message_id_header="<a@mail>")
    verdict = s.apply(first, first.received_at)
    s.record_dispatch(first, verdict, department, first.received_at)
    return verdict.case_id


def test_email_reply_joins_the_case_of_its_parent() -> None:
    s = state()
    case = opened(s)
    reply = email("<b@mail>", "Any news? It is still here.", 2, in_reply_to="<a@mail>")
    v = s.apply(reply, reply.received_at)
    assert (v.kind, v.layer, v.case_id) == ("follow_up", DedupLayer.THREAD, case)
    assert v.department == "returns" and v.contact_count == 2 and v.original_id is None


def test_references_only_and_replies_to_replies() -> None:
    s = state()
    case = opened(s)
    second = email(
        "<b@mail>", "Second note", 1, references=("<a@mail>",), message_id_header="<b@mail>"
    )
    third = email("<c@mail>", "Third note", 2, in_reply_to="<b@mail>")
    assert s.apply(second, second.received_at).case_id == case
    v = s.apply(third, third.received_at)
    assert v.case_id == case and v.contact_count == 3


def test_chat_session_joins_its_case() -> None:
    s = state()
    first = message(
        "w1",
        "The app crashes at checkout",
        channel="webchat",
        email=None,
        customer={"visitor_id": "v-1"},
        thread={"conversation_id": "s-9"},
    )
    v1 = s.apply(first, T0)
    s.record_dispatch(first, v1, "technical_support", T0)
    later = message(
        "w2",
        "still crashing",
        channel="webchat",
        email=None,
        customer={"visitor_id": "v-1"},
        thread={"conversation_id": "s-9"},
    )
    v2 = s.apply(later, T0 + HOUR)
    assert v2.kind == "follow_up" and v2.case_id == v1.case_id
    assert v2.department == "technical_support"


def test_repeat_inside_a_conversation_is_a_follow_up_not_a_duplicate() -> None:
    # The agent should see a customer repeating themselves in the same chat.
    s = state()
    text = "My parcel for order 12345 never arrived and the tracking page has not changed."
    conv = {"conversation_id": "s-1"}
    s.apply(message("w1", text, channel="webchat", thread=conv), T0)
    v = s.apply(message("w2", text, channel="webchat", thread=conv), T0 + HOUR)
    assert v.kind == "follow_up" and v.layer == DedupLayer.THREAD


def test_same_order_number_joins_across_channels() -> None:
    s = state()
    first = message("e1", "Refund for my order please", customer={"order_numbers": ["A-1234"]})
    v1 = s.apply(first, T0)
    s.record_dispatch(first, v1, "returns", T0)
    chat = message("w1", "hello?", channel="webchat", customer={"order_numbers": ["a1234"]})
    v2 = s.apply(chat, T0 + HOUR)
    assert v2.kind == "follow_up" and v2.case_id == v1.case_id and v2.department == "returns"


def test_order_number_of_another_customer_is_not_their_case() -> None:
    s = state()
    s.apply(message("e1", "Refund please", customer={"order_numbers": ["A-1234"]}), T0)
    other = message(
        "e2", "Refund please", email="bob@example.com", customer={"order_numbers": ["A-1234"]}
    )
    assert s.apply(other, T0).kind == "new"


def test_case_stays_open_while_the_customer_keeps_writing() -> None:
    s = state()
    case = opened(s)
    for i, hours in enumerate((20, 40, 60)):  # each within a day of the previous contact
        reply = email(
            f"<r{i}@mail>",
            f"note {i}",
            hours,
            in_reply_to="<a@mail>",
            message_id_header=f"<r{i}@mail>",
        )
        assert s.apply(reply, reply.received_at).case_id == case
    assert (
        s.apply(email("<x@mail>", "x", 60 + 24, in_reply_to="<r2@mail>"), T0 + 84 * HOUR).case_id
        == case
    )  # exactly a day after the last contact


def test_idle_case_is_closed_just_after_the_window() -> None:
    s = state()
    case = opened(s)
    late = email("<b@mail>", "Hello again", in_reply_to="<a@mail>")
    v = s.apply(late, T0 + DAY + timedelta(seconds=1))
    assert v.kind == "new" and v.case_id != case


def test_third_contact_counts_three() -> None:
    s = state()
    opened(s)
    counts = [
        s.apply(
            email(f"<f{i}@mail>", f"follow {i}", i, in_reply_to="<a@mail>"), T0 + i * HOUR
        ).contact_count
        for i in (1, 2)
    ]
    assert counts == [2, 3]


def test_follow_up_straddling_a_restart_keeps_case_department_and_count() -> None:
    s = state()
    case = opened(s, "billing")
    reply = email("<b@mail>", "Any news?", 1, in_reply_to="<a@mail>")
    s.apply(reply, reply.received_at)
    restored = restart(s)
    again = email("<c@mail>", "Hello??", 2, in_reply_to="<a@mail>")
    v = restored.apply(again, again.received_at)
    assert (v.case_id, v.department, v.contact_count) == (case, "billing", 3)


def test_threading_can_be_switched_off() -> None:
    s = state(thread_by_conversation=False, thread_by_order=False)
    opened(s)
    reply = email("<b@mail>", "Any news?", 1, in_reply_to="<a@mail>")
    assert s.apply(reply, reply.received_at).kind == "new"


def test_reply_to_our_agent_threads_through_references_and_then_in_reply_to() -> None:
    s = state()
    case = opened(s)
    # The customer answers the agent's mail (<agent1@shop>, never seen here); References
    # still name the customer's first mail.
    first = email(
        "<b@mail>",
        "Here is the photo",
        3,
        in_reply_to="<agent1@shop>",
        references=("<a@mail>", "<agent1@shop>"),
    )
    assert s.apply(first, first.received_at).case_id == case
    # A client that sends only In-Reply-To: the agent mail is now known to be this case's.
    second = email("<c@mail>", "And the receipt", 4, in_reply_to="<agent1@shop>")
    assert s.apply(second, second.received_at).case_id == case


def test_long_references_do_not_multiply_state() -> None:
    s = state()
    opened(s)
    refs = tuple(f"<r{i}@mail>" for i in range(99))
    reply = email(
        "<z@mail>",
        "hi",
        1,
        in_reply_to="<r98@mail>",
        references=(*refs, "<a@mail>"),
        message_id_header="<z@mail>",
    )
    before = len(s.threads.table)
    s.apply(reply, reply.received_at)
    assert len(s.threads.table) - before <= 3  # own id, parent, conversation: not 100 refs
