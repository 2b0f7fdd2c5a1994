"""Settings shared by the three phone connectors. Each connector subclasses this next to its
code with its own environment prefix (OMNIROUTE_ASTERISK_, OMNIROUTE_FREESWITCH_,
OMNIROUTE_TWILIO_)."""

import phonenumbers
from pydantic import Field, field_validator

from connectors.base import ConnectorConfig


class PhoneConfig(ConnectorConfig):
    tenant: str = Field("default", min_length=1, description="Tenant (shop) the calls belong to")
    brand: str | None = Field(None, description="Brand or storefront of the phone line")
    default_region: str = Field(
        "US", description="ISO 3166 region used to read numbers dialled without +country code"
    )
    queue_departments: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Department hint per queue name, dialled number (E.164 or as dialled) or dialplan "
            'context, as JSON: {"returns-queue": "returns", "+4930123456": "billing"}'
        ),
    )

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region '{value}' (expected ISO 3166 alpha-2, e.g. DE)")
        return region
