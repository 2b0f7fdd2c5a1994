import random

import pytest

from connectors.email.charsets import codecs_for, decode, decode_surrogates
from connectors.email.headers import decode_words


@pytest.mark.parametrize(
    ("text", "encoding", "label"),
    [
        ("喆先生的订单还没到", "gbk", "gb2312"),  # GBK-only character under a GB2312 label
        ("𠀀 扩展字符 订单", "gb18030", "gb2312"),  # GB18030 four-byte character
        ("請問我的訂單幾時到㗎", "big5hkscs", "big5"),  # HKSCS character under Big5
        ("①商品が届きません。髙橋", "cp932", "shift_jis"),  # NEC/IBM extensions
        ("Здравствуйте, где заказ", "koi8-r", "koi8-r"),
        ("Dzień dobry, Łódź", "iso-8859-2", "iso-8859-2"),
        ("Prix: 25 €, reçu", "cp1252", "iso-8859-1"),  # Windows-1252 labelled Latin-1
        ("你好，订单", "utf-8", "gb2312"),  # UTF-8 mislabelled as GB2312
        ("Grüße", "utf-8", "us-ascii"),
    ],
)
def test_declared_charsets_decode_to_the_real_text(text: str, encoding: str, label: str) -> None:
    assert decode(text.encode(encoding), label) == text


def test_supersets_are_used_for_legacy_labels() -> None:
    assert codecs_for("GB2312") == ("gb18030",)
    assert codecs_for('"gbk"') == ("gb18030",)
    assert codecs_for("big5")[0] == "big5hkscs"
    assert codecs_for("Shift_JIS")[0] == "cp932"
    assert codecs_for("x-unknown") == ()
    assert codecs_for("no-such-charset") == ()
    assert codecs_for(None) == ()


def test_undeclared_bytes_are_detected_or_replaced() -> None:
    chinese = "关于退款的问题，请尽快处理我的订单"
    assert decode(chinese.encode("gbk")) == chinese
    assert decode("Größe café".encode("latin-1")) == "Größe café"
    assert decode("Привет, где мой заказ".encode("cp1251")) == "Привет, где мой заказ"


def test_a_few_corrupt_bytes_keep_the_declared_charset() -> None:
    text = "Профессионалы — ведущая деловая сеть. " * 20
    data = text.encode("utf-8")
    broken = data[:100] + b"\xd1f" + data[100:]
    out = decode(broken, "utf-8")
    assert 1 <= out.count("\ufffd") <= 3
    assert "ведущая деловая сеть" in out


def test_decode_never_raises_on_random_bytes() -> None:
    rng = random.Random(7)
    labels = [None, "utf-8", "gb2312", "big5", "utf-16", "bogus", "iso-2022-jp", ""]
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80)))
        assert isinstance(decode(data, rng.choice(labels)), str)


def test_surrogate_escaped_strings_are_recovered() -> None:
    raw = "张伟".encode("gbk").decode("ascii", errors="surrogateescape")
    assert decode_surrogates(raw) == "张伟"
    assert decode_surrogates("plain") == "plain"


def test_encoded_words() -> None:
    assert decode_words("=?utf-8?B?5L2g5aW9?= world") == "你好 world"
    assert decode_words("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "André Pirard"
    # whitespace between adjacent encoded words is not part of the text (RFC 2047 6.2)
    assert decode_words("=?utf-8?Q?a?= =?utf-8?Q?b?=") == "ab"
    assert decode_words("=?utf-8?Q?hello_there?=") == "hello there"


def test_multibyte_character_split_across_encoded_words() -> None:
    data = "订单".encode("gbk")
    first = "=?gb2312?Q?" + "".join(f"={b:02X}" for b in data[:3]) + "?="
    second = "=?gb2312?Q?" + "".join(f"={b:02X}" for b in data[3:]) + "?="
    assert decode_words(f"{first}\t{second}") == "订单"


@pytest.mark.parametrize(
    "value",
    [
        "=?bogus-charset?B?5L2g5aW9?=",
        "=?utf-8?B?!!!not base64!!!?=",
        "=?utf-8?X?unknown encoding?=",
        "=?utf-8?Q?=ZZ=?=",
        "=??B??=",
        "=?utf-8*en?Q?x?=",
    ],
)
def test_malformed_encoded_words_never_raise(value: str) -> None:
    assert isinstance(decode_words(value), str)
