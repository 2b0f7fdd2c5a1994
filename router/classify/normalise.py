"""Text normalisation shared by training and prediction.

The aim is to make templated training text (Bitext) and real traffic (tweets, Weibo posts,
e-mails) look alike, so that what the model learns transfers: brand handles, links and order
numbers differ per message and per shop, and carry no department signal the model could learn
from a few thousand examples without overfitting to the names in them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# One pass removes links, handles and punctuation (all become a space). Handles stop at
# whitespace or punctuation and are capped, because Weibo often glues the handle to the next
# words ("@某某客服怎么回事"); an e-mail address just loses its domain, which is all we need.
# Punctuation is layout, except ?/! (questions vs complaints) and the apostrophe in contractions.
_NOISE: Final = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|@[^\s@,.:;!?，。：；！？、]{1,20}"
    r"|[\"#$%&()*+,\-./:;<=>\[\]^_`{|}~\\、《》「」『』【】〈〉…—·•]+"
)
_DIGITS: Final = re.compile(r"[0-9]+")  # after NFKC, which folds full-width digits
# str.replace, not str.translate: translate with a dict is ~50x slower on non-ASCII text.
_REPLACE: Final = (("’", "'"), ("‘", "'"), ("。", " "))


def normalise(text: str) -> str:
    """Canonical form used for features: NFKC, lower case, no handles/links, digits as 0.

    Works on one text or on many joined by a non-space separator such as NUL with spaces
    around it: no rule matches across whitespace, so a batch is normalised in one pass.
    """
    # NFKC folds full-width Latin/digits/punctuation, common in Chinese input, to ASCII.
    folded = unicodedata.normalize("NFKC", text).lower()
    for old, new in _REPLACE:
        folded = folded.replace(old, new)
    folded = _DIGITS.sub("0", _NOISE.sub(" ", folded))
    return " ".join(folded.split())
