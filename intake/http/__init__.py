"""HTTP ingest API for channel adapters (aiohttp)."""
