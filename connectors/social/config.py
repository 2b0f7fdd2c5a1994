"""Configuration of the social connectors. Environment: `OMNIROUTE_META_*`, `OMNIROUTE_X_*`."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.base import ConnectorConfig

# Meta retries a failed webhook delivery for up to 7 days (WhatsApp) and X for a shorter
# while; a body older than the tolerance can then only be a replay, but the tolerance must
# stay above the platform's retry window or a genuine late retry would be refused.
_DAY_S = 86_400


class MetaConfig(ConnectorConfig):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_META_", frozen=True, extra="ignore")

    app_secret: SecretStr = Field(
        SecretStr(""),
        description="App secret that signs X-Hub-Signature-256; empty = every POST is refused",
    )
    verify_token: SecretStr = Field(
        SecretStr(""),
        description="Token Meta echoes in the subscribe handshake; empty = handshake refused",
    )
    own_ids: tuple[str, ...] = Field(
        (),
        description="Extra ids of our own pages/accounts/phone numbers (JSON list); messages "
        "from them are echoes. Page, Instagram account and business number ids are known anyway",
    )
    tenant: str = Field("default", description="Tenant the Meta app belongs to")
    brand: str | None = Field(None, description="Brand or storefront these accounts serve")
    max_age_s: int = Field(
        8 * _DAY_S,
        ge=0,
        description="Refuse (401 stale) a body whose newest event is older; 0 = no limit",
    )


class XConfig(ConnectorConfig):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_X_", frozen=True, extra="ignore")

    consumer_secret: SecretStr = Field(
        SecretStr(""),
        description="App consumer (API) secret for CRC and x-twitter-webhooks-signature",
    )
    for_user_id: str = Field(
        "",
        description="Numeric id of the brand account; empty = take for_user_id from the body",
    )
    tenant: str = Field("default", description="Tenant the brand account belongs to")
    brand: str | None = Field(None, description="Brand or storefront of the account")
    max_age_s: int = Field(
        2 * _DAY_S,
        ge=0,
        description="Refuse (401 stale) a body whose newest event is older; 0 = no limit",
    )
