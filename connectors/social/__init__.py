"""Social media connectors: Meta (Messenger, Instagram, WhatsApp Cloud API) and X webhooks.

Every POST is verified against the platform's HMAC signature over the raw body before a single
byte is parsed; the parsers are total (bad events become deadletter records, not exceptions).
"""
