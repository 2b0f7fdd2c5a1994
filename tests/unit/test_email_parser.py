from datetime import UTC, datetime

from intake.message import Channel, MessageKind
from tests.unit.email_helpers import FIXTURES, parse_fixture


def test_plain_reply_threading_customer_and_quote() -> None:
    d = parse_fixture("reply_gmail_plain.eml")
    assert d.channel is Channel.EMAIL
    assert d.kind is MessageKind.MESSAGE
    assert d.channel_message_id == "<CAF3reply0001@mail.example.org>"
    assert d.customer.email == "Anna.Kowalski@Example.org"  # intake lower-cases, not us
    assert d.customer.name == "Anna Kowalski"
    assert d.customer.order_numbers == ("SH-20240301",)
    assert d.thread.message_id_header == "<CAF3reply0001@mail.example.org>"
    assert d.thread.in_reply_to == "<case-77@support.shop.example>"
    assert d.thread.references == (
        "<root-1@support.shop.example>",
        "<case-76@mail.example.org>",
        "<case-77@support.shop.example>",
    )
    assert d.thread.conversation_id == "<root-1@support.shop.example>"
    assert d.thread.normalized_subject == "Your order #SH-20240301"
    assert d.occurred_at == datetime(2024, 3, 5, 8, 15, tzinfo=UTC)
    # format=flowed: the soft line break is joined
    assert "The box was crushed and the lamp" in d.text
    assert d.text.endswith("Thanks,\nAnna")
    assert d.quoted_text is not None
    assert d.quoted_text.startswith("-- \nAnna Kowalski")
    assert "wrote:\n> Dear Anna" in d.quoted_text


def test_gb2312_label_on_gbk_text() -> None:
    d = parse_fixture("gbk_labelled_gb2312.eml")
    assert d.customer.name == "王喆"
    assert d.subject == "回复: 答复：订单 CN2024030188 的发货问题"
    assert d.thread.normalized_subject == "订单 CN2024030188 的发货问题"
    assert "喆先生" in d.text
    assert d.customer.order_numbers == ("CN2024030188",)
    assert d.quoted_text is not None and d.quoted_text.startswith("在 2024年3月4日")
    assert "写道" not in d.text


def test_big5_hkscs() -> None:
    d = parse_fixture("big5_hkscs.eml")
    assert d.customer.name == "陳大文"
    assert d.subject == "查詢訂單"
    assert d.text == "請問我的訂單幾時到㗎？訂單編號 HK-778899"
    assert d.customer.order_numbers == ("HK-778899",)


def test_shift_jis_with_cp932_characters() -> None:
    d = parse_fixture("shift_jis_cp932.eml")
    assert d.customer.name == "髙橋 花子"
    assert d.subject == "配送について"
    assert "①商品が届きません。髙橋" in d.text


def test_koi8r_quoted_printable() -> None:
    d = parse_fixture("koi8r.eml")
    assert d.customer.name == "Иван Петров"
    assert d.subject == "Где мой заказ?"
    assert d.text == "Здравствуйте! Заказ order RU-12345 не пришёл."


def test_iso_8859_parts() -> None:
    d = parse_fixture("iso8859_mixed.eml")
    assert d.customer.name == "Łukasz Żółw"
    assert d.subject == "Réclamation commande"
    assert "zamówienie PL-99887 jest uszkodzone. Łódź." in d.text
    assert "Prix payé: 25 €, reçu cassé." in d.text


def test_raw_8bit_headers_without_charset() -> None:
    d = parse_fixture("raw_8bit_headers.eml")
    assert d.subject == "Rückerstattung für Bestellung order DE-4455667"
    assert d.customer.name == "张伟"
    assert d.text == "Bitte erstatten Sie den Betrag. Grüße"


def test_rfc2231_and_rfc2047_attachment_names() -> None:
    d = parse_fixture("rfc2231_attachments.eml")
    assert d.text == "请看附件：发票和损坏照片。"
    names = [a.filename for a in d.attachments]
    assert names == ["发票.pdf", "损坏照片.png", "订单.csv"]
    pdf = d.attachments[0]
    assert pdf.content_type == "application/pdf"
    assert pdf.size_bytes == 290
    assert pdf.sha256 is not None and len(pdf.sha256) == 64


def test_nested_multipart_with_forwarded_message() -> None:
    d = parse_fixture("nested_forward.eml")
    # multipart/alternative: the plain alternative wins over the HTML one
    assert d.text == "See the receipt below, the order number is ORD-31337. Please cancel it."
    assert d.quoted_text is not None
    assert "Attached message" in d.quoted_text
    assert "Thank you for order ORD-31337" in d.quoted_text
    types = [a.content_type for a in d.attachments]
    assert types == ["image/png", "message/rfc822", "application/pdf"]
    assert d.attachments[1].filename == "Your receipt.eml"
    assert d.attachments[2].filename == "receipt.pdf"
    assert d.customer.order_numbers == ("ORD-31337",)
    assert d.thread.normalized_subject == "Your receipt"


def test_html_only_mail_becomes_text() -> None:
    d = parse_fixture("html_only.eml")
    assert "alert" not in d.text and "color" not in d.text and "ignored title" not in d.text
    assert d.text.startswith("Hi team,\nI want to return the shoes from order #RT-20240313.")
    assert d.text.endswith("Regards,\nCarla")
    assert d.quoted_text is not None
    assert d.quoted_text.startswith("On Tue, Mar 12, 2024 at 9:00 AM Shop")
    assert "> Please tell us why" in d.quoted_text
    assert d.customer.order_numbers == ("RT-20240313",)


def test_outlook_reply_and_original_message() -> None:
    d = parse_fixture("outlook_reply.eml")
    assert d.text == "The invoice still shows the wrong VAT number. Please correct it.\n\nDave"
    assert d.quoted_text is not None and "From: Shop Billing" in d.quoted_text
    assert d.thread.normalized_subject == "Invoice question"
    assert d.customer.name == "Miller, Dave"
    o = parse_fixture("outlook_original_message.eml")
    assert o.text == "Can you check this delivery?"
    assert o.quoted_text is not None and o.quoted_text.startswith("-----Original Message-----")


def test_wrong_transfer_encodings() -> None:
    d = parse_fixture("wrong_cte.eml")
    assert "This part says base64 but is plain text, café." in d.text
    assert "The second part is base64 without saying so" in d.text


def test_missing_boundary_is_recovered() -> None:
    d = parse_fixture("missing_boundary.eml")
    assert d.text == "The text is still readable."
    assert [(a.filename, a.size_bytes) for a in d.attachments] == [("data.bin", 5)]


def test_no_message_id_uses_a_digest_and_bad_date_is_none() -> None:
    d = parse_fixture("no_message_id_bad_date.eml")
    raw = (FIXTURES / "no_message_id_bad_date.eml").read_bytes()
    again = parse_fixture("no_message_id_bad_date.eml")
    assert d.channel_message_id.startswith("sha256:")
    assert d.channel_message_id == again.channel_message_id
    assert len(d.channel_message_id) == len("sha256:") + 64
    assert raw  # the digest is over the raw bytes: a re-read yields the same id
    assert d.occurred_at is None
    assert d.thread.conversation_id is None
    assert d.customer.email == "ivy@example.com"  # Sender when From is missing
    assert d.customer.order_numbers == ("AB-123456",)


def test_nesting_depth_is_bounded() -> None:
    d = parse_fixture("deep_nesting.eml")
    assert d.metadata["truncated"] is True
    assert d.metadata["mime_parts"] == 22  # depth 0..20 walked, the 22nd is refused


def test_part_count_is_bounded() -> None:
    parts = "".join(
        f"--b\r\nContent-Type: application/octet-stream; name=f{i}.bin\r\n\r\nx\r\n"
        for i in range(50)
    )
    raw = (
        "From: a@example.com\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        + parts
        + "--b--\r\n"
    ).encode()
    from tests.unit.email_helpers import parse_bytes

    result = parse_bytes(raw, max_parts=10)
    draft = result.drafts[0]
    assert len(draft.attachments) == 9
    assert draft.metadata["truncated"] is True


def test_text_size_is_bounded() -> None:
    from tests.unit.email_helpers import parse_bytes

    raw = b"From: a@example.com\r\nSubject: big\r\n\r\n" + b"word " * 100_000
    draft = parse_bytes(raw, max_text_chars=5000).drafts[0]
    assert len(draft.text) <= 5000


def test_context_goes_to_metadata() -> None:
    from tests.unit.email_helpers import connector

    raw = (FIXTURES / "koi8r.eml").read_bytes()
    draft = connector().parse(raw, {"imap_uid": "7"}).drafts[0]
    assert draft.metadata["ctx_imap_uid"] == "7"
    assert draft.metadata["to"] == "support@shop.example"
