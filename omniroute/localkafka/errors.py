from intake.errors import OmnirouteError


class LocalKafkaError(OmnirouteError):
    """The embedded broker could not be fetched, started or stopped; the message carries the
    tail of the broker log when there is one, because that is where the real cause is."""
