"""Dedup and threading settings. Environment: `OMNIROUTE_DEDUP_*`."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DedupSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_DEDUP_", frozen=True, extra="ignore")

    window_s: int = Field(
        86_400,
        ge=60,
        description="How long message ids, content fingerprints, thread keys and open cases "
        "are remembered, in seconds since they were last seen",
    )
    near_enabled: bool = Field(
        True, description="Detect near-duplicate content of one customer across channels"
    )
    near_min_chars: int = Field(
        16,
        ge=1,
        description="Shortest normalised text compared at all (letters and digits; a CJK "
        "character counts 3): shorter texts ('ok', '谢谢') are never near-duplicates",
    )
    near_tolerant_chars: int = Field(
        120,
        ge=1,
        description="Normalised length from which small differences are tolerated; two "
        "shorter texts must be identical after normalisation, since there one changed word "
        "is usually a different request",
    )
    near_max_distance: int = Field(
        4,
        ge=0,
        le=32,
        description="Most differing SimHash bits (of 100) for two long texts to count as the "
        "same content",
    )
    near_max_length_change: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Most relative length difference of two long near-duplicates: a repeated "
        "complaint with one more paragraph is a new message",
    )
    near_max_per_customer: int = Field(
        64,
        ge=1,
        description="Most fingerprints kept per customer and window; a sender beyond it (a "
        "bot, a sync loop) is still deduplicated by id and thread, not by content",
    )
    thread_by_conversation: bool = Field(
        True, description="A message in a known chat session or email thread joins its case"
    )
    thread_by_order: bool = Field(
        True, description="A message naming an order number of an open case joins that case"
    )
