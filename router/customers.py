"""The customer directory in the router: tiers and time zones for priority and SLA, from a
CRM export (CSV/JSON) and/or the compacted topic `omniroute.customers` (intake/directory.py).

The directory is keyed by identity HMACs; intake already resolved each message's routing key
to the customer's canonical key, so the router looks customers up by routing key alone.
"""

import asyncio
import logging

from intake.directory import Directory
from intake.directory_load import follow, load_export, open_topic, read_to_end
from intake.errors import ConfigError
from intake.http.settings import IntakeSettings
from intake.identity import IdentityKeyer
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.assemble import RoutingSettings

log = logging.getLogger(__name__)


def open_directory(routing: RoutingSettings) -> Directory | None:
    """The directory the classifier consults, filled from the export if one is configured;
    None when neither an export nor the topic is configured."""
    if routing.customers_file is None and not routing.follow_customers:
        return None
    directory = Directory()
    if routing.customers_file is not None:
        secret = IntakeSettings().identity_secret.get_secret_value().encode()
        report = load_export(routing.customers_file, directory, IdentityKeyer(secret))
        for row, reason in report.rejected[:20]:
            log.warning(
                "customers export %s row %d skipped: %s", routing.customers_file, row, reason
            )
        if report.loaded == 0 and report.rejected:
            raise ConfigError(f"customers export {routing.customers_file}: no usable rows")
        log.info("customer directory: %d customers from %s", report.loaded, routing.customers_file)
    return directory


async def follow_directory(
    directory: object, kafka: KafkaSettings, stop: asyncio.Event
) -> "asyncio.Task[None] | None":
    """Reads the topic to its end before returning (so the first decisions already see the
    tiers), then follows it in a task until `stop`."""
    if not isinstance(directory, Directory) or not RoutingSettings().follow_customers:
        return None
    cons, tps = await open_topic(kafka, Topics(kafka.topic_prefix).customers)
    try:
        count = await read_to_end(directory, cons, tps)
    except BaseException:
        await cons.stop()
        raise
    log.info("customer directory: %d records from the topic", count)

    async def run() -> None:
        try:
            await follow(directory, cons, stop)
        finally:
            await cons.stop()

    return asyncio.create_task(run())
