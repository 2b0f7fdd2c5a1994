"""Customer identity keys: keyed HMACs of normalised identifiers (DESIGN principle 5).

Raw emails and phone numbers must never appear in Kafka keys, state keys, logs or labels, yet
equal identifiers must map to equal keys across channels and processes, hence a keyed HMAC
rather than a plain hash (a plain hash of a phone number is trivially reversible).
"""

import hashlib
import hmac
import unicodedata

import phonenumbers

from intake.message import Customer

_KEY_HEX = 32  # 128 bits: collision-free at any realistic customer count, half the bytes


class IdentityKeyer:
    def __init__(self, secret: bytes, default_region: str = "US") -> None:
        if len(secret) < 16:
            raise ValueError("identity secret must be at least 16 bytes")
        self._secret = secret
        self._region = default_region

    def _mac(self, kind: str, value: str) -> str:
        data = f"{kind}:{value}".encode()
        return hmac.new(self._secret, data, hashlib.sha256).hexdigest()[:_KEY_HEX]

    def email(self, address: str) -> str:
        return self._mac("email", normalise_email(address))

    def phone(self, number: str) -> str:
        return self._mac("phone", normalise_phone(number, self._region))

    def handle(self, platform: str, handle: str) -> str:
        norm = unicodedata.normalize("NFKC", handle).strip().lstrip("@").casefold()
        return self._mac("handle", f"{platform.strip().casefold()}:{norm}")

    def visitor(self, visitor_id: str) -> str:
        return self._mac("visitor", visitor_id.strip())

    def customer_id(self, tenant: str, customer_id: str) -> str:
        return self._mac("customer", f"{tenant}:{customer_id.strip()}")

    def identity_keys(self, tenant: str, customer: Customer) -> list[str]:
        """Every identity key the customer can be recognised by, strongest first."""
        keys: list[str] = []
        if customer.customer_id:
            keys.append(self.customer_id(tenant, customer.customer_id))
        if customer.email:
            keys.append(self.email(customer.email))
        if customer.phone:
            keys.append(self.phone(customer.phone))
        if customer.platform and customer.handle:
            keys.append(self.handle(customer.platform, customer.handle))
        if customer.visitor_id:
            keys.append(self.visitor(customer.visitor_id))
        return keys

    def anonymous(self, channel_message_id: str) -> str:
        """Key for a contact without identifiers: stable, but shared with nobody else."""
        return self._mac("anon", channel_message_id)


def normalise_email(address: str) -> str:
    return unicodedata.normalize("NFKC", address).strip().casefold()


def normalise_phone(number: str, region: str) -> str:
    """E.164 when libphonenumber can parse it; otherwise the digits alone (with a leading +
    kept), so that formatting differences of an unparseable number still collapse."""
    try:
        parsed = phonenumbers.parse(number, region)
        if phonenumbers.is_possible_number(parsed):
            return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    except phonenumbers.NumberParseException:
        pass
    digits = "".join(ch for ch in number if ch.isdigit())
    return ("+" if number.strip().startswith("+") else "") + digits
