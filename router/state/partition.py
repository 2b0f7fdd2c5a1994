"""The dedup/threading state of one partition, and its changelog.

All state of a customer lives on the customer's partition (messages are keyed by the routing
key), so each partition's state is independent and is restored from exactly one changelog
partition with the same number. Layers, in order:
  1. exact    the same message id within the window -> duplicate
  2. thread   email thread / conversation of an open case -> follow-up
  3. near     the same content from the same customer -> duplicate
  4. thread   an order number of an open case -> follow-up
  otherwise a new case.
Times are those the caller passes (the pipeline passes the intake receipt time), so replaying
the same input yields the same verdicts. No rollback: after an aborted transaction, discard
the instance and restore a new one from the changelog.
"""

from datetime import datetime

from intake.message import Message
from router.dedup.cases import LAYOUT as CASES
from router.dedup.cases import Case, CaseBook, own_case
from router.dedup.exact import LAYOUT as SEEN
from router.dedup.exact import ExactIndex
from router.dedup.fingerprint import Fingerprint
from router.dedup.keys import case_halves, customer_scope, digest, message_halves, uuid_str
from router.dedup.near import LAYOUT as PRINTS
from router.dedup.near import NearIndex
from router.dedup.threading import LAYOUT as THREADS
from router.dedup.threading import ThreadIndex, ThreadKeys, thread_keys
from router.dedup.verdict import DedupLayer, Verdict, VerdictKind
from router.state import codec
from router.state.changes import Changes
from router.state.clock import to_ts
from router.state.expiry import expire
from router.state.restore import Layout, RestoreBuffer, merge
from router.state.settings import DedupSettings
from router.state.table import KeyTable

__all__ = ["DedupLayer", "DedupSettings", "PartitionState", "Verdict"]


class PartitionState:
    def __init__(self, partition: int, settings: DedupSettings) -> None:
        self.partition = partition
        self.settings = settings
        window = settings.window_s
        self._changes = Changes()
        self._restoring = RestoreBuffer()
        self.exact = ExactIndex(window, self._changes)
        self.near = NearIndex(settings, self._changes)
        self.threads = ThreadIndex(window, self._changes)
        self.cases = CaseBook(window, self._changes)
        self._high = 0  # newest time applied or restored: expiry never runs ahead of the data

    def _tables(self) -> list[tuple[KeyTable, Layout]]:
        return [
            (self.exact.table, SEEN),
            (self.near.table, PRINTS),
            (self.threads.table, THREADS),
            (self.cases.table, CASES),
        ]

    def apply(self, message: Message, now: datetime) -> Verdict:
        self._flush()
        t = to_ts(now)
        self._high = max(self._high, t)
        hi, lo = message_halves(message.id)
        seen = self.exact.case_of(hi, t)
        if seen is not None:
            owner = self.cases.get(seen, t) or own_case(message.id)
            return _verdict("duplicate", DedupLayer.EXACT, message.id, owner)
        scope = customer_scope(message)
        keys = thread_keys(message, scope, self.settings)
        fp = self.near.fingerprint(message)
        case = self._open_case(self.threads.find(keys.explicit, t), t)
        if case is None and fp is not None:
            original = self.near.find(digest("c", scope), fp, t)
            if original is not None and (dup := self._near(original, hi, keys, t)) is not None:
                return dup
        if case is None:
            case = self._open_case(self.threads.find(keys.orders, t), t)
        if case is None:
            case = self.cases.open(message.id, t)
            verdict = _verdict("new", None, None, case)
        else:
            case = self.cases.touch(case, t, contact=True)
            verdict = _verdict("follow_up", DedupLayer.THREAD, None, case)
        self._remember((hi, lo), scope, keys, fp=fp, case=case, t=t)
        return verdict

    def record_dispatch(
        self, message: Message, verdict: Verdict, department: str, now: datetime
    ) -> None:
        """The case remembers its department, so follow-ups go where the case is handled."""
        halves = case_halves(verdict.case_id)
        if verdict.dispatch and halves is not None:
            self.cases.assign(halves[0], department)

    def drain_changes(self) -> list[tuple[bytes, bytes | None]]:
        return self._changes.drain()

    def restore(self, key: bytes, value: bytes | None) -> None:
        """Replay one changelog record. Cheap: records are merged in bulk on first use."""
        self._restoring.add(key, value)

    @property
    def restore_skipped(self) -> int:
        """Changelog records this version could not read (unknown kind or format)."""
        self._flush()
        return self._restoring.skipped

    def expire(self, now: datetime, *, force: bool = False) -> None:
        """Drop entries idle for longer than the window and queue their tombstones. Measured
        against min(now, newest data), so replaying an old backlog does not expire the state
        it is building. Cheap to call often: a table is rebuilt only once 1/32 of it has
        expired (or with `force`); until then expired rows are merely invisible."""
        self._flush()
        cutoff = min(to_ts(now), self._high) - self.settings.window_s
        for table, layout in self._tables():
            expire(table, layout, cutoff, self._changes, force=force)

    def resident_bytes(self) -> int:
        self._flush()
        names = sum(len(n) + 64 for n in self.cases.departments)
        return sum(table.nbytes for table, _ in self._tables()) + names

    def __len__(self) -> int:
        """Live state entries (one changelog key each)."""
        self._flush()
        return sum(len(table) for table, _ in self._tables())

    def _flush(self) -> None:
        if not len(self._restoring):
            return
        batches, short = self._restoring.take()
        for key, value in short:
            if key[:1] == codec.DEPARTMENT:
                self.cases.restore_department(key, value)
            else:
                self._restoring.skipped += 1
        for table, layout in self._tables():
            batch = batches.get(layout.kind)
            if batch is None:
                continue
            merge(table, layout, batch)
            live = batch.values["ts"][~batch.deleted]
            if len(live):
                self._high = max(self._high, int(live.max()))

    def _open_case(self, hi: int | None, t: int) -> Case | None:
        return None if hi is None else self.cases.get(hi, t)

    def _near(self, original: tuple[int, int], hi: int, keys: ThreadKeys, t: int) -> Verdict | None:
        case_hi = self.exact.case_of(original[0], t)
        case = self._open_case(case_hi, t)
        if case is None:
            return None
        # A repeat is a real contact by the customer (it counts), but it is not dispatched
        # and its fingerprint is not kept: later repeats point at the dispatched original.
        case = self.cases.touch(case, t, contact=True)
        self.exact.record(hi, t, case.hi)
        self.threads.record(keys.registered(), t, case.hi)
        return _verdict("duplicate", DedupLayer.NEAR, uuid_str(*original), case)

    def _remember(
        self,
        message: tuple[int, int],
        scope: str,
        keys: ThreadKeys,
        *,
        fp: Fingerprint | None,
        case: Case,
        t: int,
    ) -> None:
        hi, lo = message
        self.exact.record(hi, t, case.hi)
        if fp is not None:
            self.near.record(digest("c", scope), hi, lo, t, fp)
        self.threads.record(keys.registered(), t, case.hi)


def _verdict(
    kind: VerdictKind, layer: DedupLayer | None, original: str | None, case: Case
) -> Verdict:
    return Verdict(kind, layer, original, case.case_id, case.department, case.contact_count)
