"""Property tests of the Meta (Messenger, Instagram, WhatsApp) and X webhook parsers: arbitrary
bytes, mutated fixtures and type-confused JSON bodies never crash them; an unreadable body is a
deadletter with a reason, exactly as the HTTP route would keep it."""

from hypothesis import given
from hypothesis import strategies as st

from connectors.base import safe_parse
from connectors.social.config import MetaConfig, XConfig
from connectors.social.meta import MetaConnector
from connectors.social.webhook import read_safely
from connectors.social.x import XConnector
from tests.unit.property_helpers import (
    JSON,
    PROPERTY,
    check_total,
    json_documents,
    json_mutated,
    mutated,
    read_samples,
)

META = MetaConnector(MetaConfig(own_ids=("106000000000001",)))
X = XConnector(XConfig())
SAMPLES = read_samples("social", shared=("webhooks",))
DOCS = json_documents(SAMPLES)
META_DOCS = [d for d in DOCS if isinstance(d, dict) and "entry" in d]
X_DOCS = [d for d in DOCS if isinstance(d, dict) and "for_user_id" in d]
BODIES = st.one_of(st.binary(max_size=2048), mutated(SAMPLES), JSON.map(lambda v: repr(v).encode()))


def check(connector: MetaConnector | XConnector, raw: bytes) -> None:
    result, _newest = read_safely(connector, raw)
    check_total(result)
    check_total(safe_parse(connector, raw))


@PROPERTY
@given(BODIES)
def test_meta_any_bytes(raw: bytes) -> None:
    check(META, raw)


@PROPERTY
@given(json_mutated(META_DOCS, max_steps=6))
def test_meta_type_confused_bodies(raw: bytes) -> None:
    check(META, raw)


@PROPERTY
@given(BODIES)
def test_x_any_bytes(raw: bytes) -> None:
    check(X, raw)


@PROPERTY
@given(json_mutated(X_DOCS, max_steps=6))
def test_x_type_confused_bodies(raw: bytes) -> None:
    check(X, raw)
