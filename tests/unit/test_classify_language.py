"""Language detection: scripts decide CJK/Cyrillic/..., profiles decide Latin languages."""

import pytest

from router.classify.language import detect_language

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@ShopHelp where is my parcel?? ordered last week", "en"),
        ("my order is late", "en"),
        ("ok thx", "en"),  # no evidence, plain ASCII: English by default
        ("我的快递到哪了", "zh"),
        ("@优品商城客服 手机没信号,怎么回事", "zh"),  # handle stripped, still Chinese
        ("我的iPhone坏了", "zh"),  # a brand name does not make it English
        ("注文した商品がまだ届きません", "ja"),
        ("東京の天気", "ja"),  # one kana among kanji is enough
        ("주문이 아직 도착하지 않았습니다", "ko"),
        ("Где мой заказ?", "ru"),
        ("Де моє замовлення? Її немає", "uk"),
        ("¿Dónde está mi pedido?", "es"),
        ("Où est ma commande, merci", "fr"),
        ("Wo ist meine Bestellung? Danke", "de"),
        ("Onde está o meu pedido? Obrigado", "pt"),
        ("Dov'è il mio ordine? Grazie", "it"),
        ("Waar is mijn bestelling?", "nl"),
        ("مرحبا، أين طلبي", "ar"),
        ("😡😡😡", "und"),
        ("12345 https://example.com/x", "und"),
        ("", "und"),
    ],
)
def test_detects(text: str, expected: str) -> None:
    assert detect_language(text) == expected
