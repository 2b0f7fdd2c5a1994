"""Sentence pools for the benchmark's message bodies, English and Chinese.

Built-in pools are written for this project (after-sales topics, every department, some with no
keyword at all so the fallback path is exercised too). When `../shared/data` is present next to
the repository, real customer texts (Bitext utterances, inbound tweets, Weibo helpdesk turns)
are added to the pools: closer to real lengths and vocabulary. A fresh clone has no shared/,
and the suite then runs on the built-in pools alone (the results file says which).
"""

import csv
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

EN = [
    "Where is my parcel? The tracking page has not changed for five days.",
    "I would like a refund for order {order}, the shoes are too small.",
    "I was charged twice for the same order, please fix the payment.",
    "Please cancel my order {order} before it ships.",
    "My blender stopped working after two weeks, is it still under warranty?",
    "The courier was rude and left the package in the rain. This is unacceptable.",
    "How do I reset my account password? The login page keeps failing.",
    "Can I exchange the jacket for a larger size?",
    "The invoice for order {order} shows the wrong address.",
    "The screen has a crack and the device won't turn on.",
    "I have been waiting for my delivery since last Monday.",
    "Is the blue version back in stock? I want to place an order.",
    "Your app shows an error when I try to pay with PayPal.",
    "I never received the money back for the return I sent two weeks ago.",
    "Thanks for the quick help yesterday, everything works now.",
    "Could you tell me your opening hours over the holidays?",
    "The package arrived damaged and half of the items are missing.",
    "I want to change the delivery address for order {order}.",
    "If this is not solved this week I will contact my lawyer.",
    "The charger started to smoke when I plugged it in!",
    "Hello, I have a question about the sizes of your summer collection.",
    "Please unsubscribe me from the newsletter.",
    "The product description said waterproof but it leaks.",
    "Order {order} says delivered but nothing is at my door.",
]
ZH = [
    "我的快递三天了还没到，请帮我查一下物流。",
    "订单{order}的鞋子太小了，我要退货退款。",
    "同一个订单被扣款两次，请尽快处理。",
    "请帮我取消订单{order}，还没有发货。",
    "买的吹风机用了两周就坏了，还在保修期吗？",
    "快递员态度太差了，包裹直接扔在门口，我要投诉。",
    "账号登录不上，密码重置邮件一直收不到。",
    "可以换一个大一号的尺码吗？",
    "发票上的地址写错了，麻烦重新开一张。",
    "手机屏幕裂了，现在无法开机。",
    "这款蓝色的什么时候有货？我想下单。",
    "退货已经寄回两周了，退款还没有到账。",
    "包裹到了但是里面少了两件东西。",
    "再不解决我就去12315投诉你们。",
    "充电器插上电就冒烟了，太危险了！",
    "你好，想问一下你们节假日的营业时间。",
    "谢谢昨天的帮助，问题已经解决了。",
    "订单{order}显示已签收，但是我没有收到。",
]
SUBJECTS_EN = ["Order {order}", "Problem with my order", "Refund", "Question", "Delivery"]
SUBJECTS_ZH = ["订单{order}", "订单问题", "退款申请", "咨询", "物流问题"]
GREETING = {"en": ("Hello,", "Kind regards,\nAlex"), "zh": ("您好，", "谢谢！")}


@dataclass(frozen=True)
class Pools:
    en: list[str]
    zh: list[str]
    source: str  # "builtin" or "builtin+shared": recorded with the results


def shared_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def _mention_free(text: str) -> str:
    return re.sub(r"@\w+\s*", "", text).strip()


def _shared(root: Path, rng: random.Random, per_source: int) -> tuple[list[str], list[str]]:
    en: list[str] = []
    zh: list[str] = []
    with (root / "bitext" / "bitext_cs_sample_20k_utterances.csv").open(encoding="utf-8-sig") as f:
        en += [row["utterance"] for row in csv.DictReader(f)]
    with (root / "twitter" / "twcs_first5000.csv").open(encoding="utf-8", newline="") as f:
        tweets = [_mention_free(r["text"]) for r in csv.DictReader(f) if r["inbound"] == "True"]
        en += [t for t in tweets if len(t) > 10]
    dialogues = json.loads((root / "chinese_helpdesk" / "train_data_cn.json").read_text("utf-8"))
    for dialogue in dialogues:
        for turn in dialogue["turns"]:
            if turn["sender"] == "customer":
                zh += [u for u in turn["utterances"] if len(u) > 4]
    return rng.sample(en, min(per_source, len(en))), rng.sample(zh, min(per_source, len(zh)))


def load_pools(seed: int, use_shared: bool = True, per_source: int = 3000) -> Pools:
    """Built-in sentences, plus a reproducible sample of the shared real texts if present."""
    root = shared_dir()
    if not use_shared or not root.is_dir():
        return Pools(list(EN), list(ZH), "builtin")
    try:
        en, zh = _shared(root, random.Random(seed), per_source)  # noqa: S311 - test data
    except (OSError, KeyError, ValueError):
        return Pools(list(EN), list(ZH), "builtin")  # a partial shared/ must not stop the run
    return Pools([*EN, *en], [*ZH, *zh], "builtin+shared")
