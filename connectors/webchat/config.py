"""Web chat configuration. Environment: `OMNIROUTE_WEBCHAT_*` (tuples as JSON lists)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from connectors.base import ConnectorConfig


class WebChatConfig(ConnectorConfig):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_WEBCHAT_", frozen=True, extra="ignore")

    allowed_origins: tuple[str, ...] = Field(
        (),
        description="Shop origins (scheme://host[:port]) whose pages may embed the widget; "
        "omniroute's own origin is always allowed; '*' allows any",
    )
    allow_missing_origin: bool = Field(
        False,
        description="Accept requests without an Origin header (non-browser clients)",
    )
    tenant: str = Field("default", description="Tenant (shop) the chat belongs to")
    brand: str | None = Field(None, description="Brand or storefront of the chat")
    max_frame_bytes: int = Field(
        8192, ge=512, description="Largest accepted frame/REST body; larger gets an error frame"
    )
    max_in_flight: int = Field(
        8, ge=1, description="Chat messages per connection awaiting Kafka before reading pauses"
    )
    message_rate_per_s: float = Field(1.0, gt=0, description="Sustained chat messages per second")
    message_burst: int = Field(5, ge=1, description="Chat messages allowed in a burst")
    frame_rate_per_s: float = Field(10.0, gt=0, description="Sustained frames per second, any type")
    frame_burst: int = Field(30, ge=1, description="Frames of any type allowed in a burst")
    abuse_limit: int = Field(
        20, ge=1, description="Rejected frames on one connection before it is closed with 1008"
    )
    heartbeat_s: float = Field(30.0, gt=0, description="WebSocket ping interval (dead peers)")
    rest_sessions: int = Field(
        10_000, ge=1, description="Sessions whose REST rate limits are remembered (LRU)"
    )
