import pytest

from connectors.email.quoting import split_reply


@pytest.mark.parametrize(
    "header",
    [
        "On Mon, 4 Mar 2024 at 17:02, Shop <support@shop.example> wrote:",
        "-----Original Message-----",
        "----- Original Message -----",
        "在 2024年3月4日 星期一 17:02，客服 <support@shop.example> 写道：",
        "------------------ 原始邮件 ------------------",
        "Am 04.03.2024 um 17:02 schrieb Shop <support@shop.example>:",
    ],
)
def test_reply_headers_start_the_quote(header: str) -> None:
    body = f"My new words.\n\n{header}\nolder text\n"
    split = split_reply(body)
    assert split.text == "My new words."
    assert split.quoted is not None
    assert split.quoted.startswith(header)
    assert "older text" in split.quoted


def test_gmail_header_wrapped_over_two_lines() -> None:
    body = "New.\n\nOn Mon, 4 Mar 2024 at 17:02, Shop Support\n<support@shop.example> wrote:\n> old"
    split = split_reply(body)
    assert split.text == "New."
    assert split.quoted is not None and split.quoted.endswith("> old")


def test_outlook_from_sent_block() -> None:
    body = (
        "Please fix the invoice.\n\n"
        "From: Billing <billing@shop.example>\nSent: Wednesday, March 13, 2024 10:00 AM\n"
        "To: Dave\nSubject: Invoice\n\nWe received it.\n"
    )
    split = split_reply(body)
    assert split.text == "Please fix the invoice."
    assert split.quoted is not None and split.quoted.startswith("From: Billing")


def test_chinese_outlook_block() -> None:
    body = (
        "请尽快处理。\n\n发件人: 客服 <support@shop.example>\n"
        "发送时间: 2024年3月4日 17:02\n收件人: 我\n主题: 订单\n"
    )
    assert split_reply(body).text == "请尽快处理。"


def test_a_lone_from_line_is_not_a_quote() -> None:
    body = "From: my old address I wrote to you last week.\nStill no answer."
    assert split_reply(body).quoted is None


def test_signature_is_separated() -> None:
    split = split_reply("Where is my parcel?\n\n-- \nJane Doe\nACME Ltd")
    assert split.text == "Where is my parcel?"
    assert split.quoted == "-- \nJane Doe\nACME Ltd"


def test_mobile_trailer_is_a_signature() -> None:
    split = split_reply("Refund please.\n\nSent from my iPhone")
    assert split.text == "Refund please."
    assert split.quoted == "Sent from my iPhone"


def test_inline_answers_between_quoted_lines_are_new_text() -> None:
    body = "On Mon, 4 Mar 2024, Shop wrote:\n> What colour?\nRed.\n> Which size?\nXL.\n\n-- \nJo\n"
    split = split_reply(body)
    assert split.text == "Red.\nXL."
    assert split.quoted is not None
    assert "> What colour?" in split.quoted and "Jo" in split.quoted


def test_plain_gt_quotes_without_header() -> None:
    split = split_reply("> you said\nI disagree")
    assert split.text == "I disagree"
    assert split.quoted == "> you said"


def test_bare_forward_keeps_the_forwarded_text() -> None:
    body = "---------- Forwarded message ---------\nFrom: Courier\n\nParcel lost."
    split = split_reply(body)
    assert split.forwarded
    assert "Parcel lost." in split.text


def test_no_quote_at_all() -> None:
    split = split_reply("Just a question.\r\nSecond line.")
    assert split.text == "Just a question.\nSecond line."
    assert split.quoted is None
