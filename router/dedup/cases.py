"""Open cases: id, owning department, contact count and last activity.

A case stays open while the customer keeps writing within the window (its time is the last
contact, not the first). A row is 24 bytes: the case uuid's two halves, last activity, contact
count and the department as a number; names are interned once per partition in `D` records,
so a million cases do not carry a million copies of "logistics".
"""

from dataclasses import dataclass

import numpy as np

from router.dedup.keys import halves, new_case, uuid_str
from router.state import codec
from router.state.changes import Changes
from router.state.restore import Layout
from router.state.table import KeyTable

COLUMNS = {"lo": np.uint64, "ts": np.uint32, "count": np.uint16, "dept": np.uint16}
LAYOUT = Layout(codec.CASE)
_MAX_COUNT = 0xFFFF
_MAX_DEPARTMENTS = 0xFFFF


@dataclass(frozen=True, slots=True)
class Case:
    hi: int
    case_id: str
    department: str | None
    contact_count: int


def own_case(message_id: str) -> Case:
    """The case a message opens: also the fallback when a changelog lost a case record."""
    hi, lo = halves(new_case(message_id))
    return Case(hi, uuid_str(hi, lo), None, 1)


class CaseBook:
    def __init__(self, window_s: int, changes: Changes) -> None:
        self.table = KeyTable(COLUMNS)
        self.departments: list[str] = []  # number n is departments[n - 1]; 0 means none yet
        self._numbers: dict[str, int] = {}
        self._window = window_s
        self._changes = changes

    def get(self, hi: int, now: int) -> Case | None:
        """The case if it is still open (active within the window)."""
        slot = self.table.find(hi)
        if slot < 0 or now - self.table.get(slot, "ts") > self._window:
            return None
        return self._view(hi, slot)

    def open(self, message_id: str, ts: int) -> Case:
        hi, lo = halves(new_case(message_id))
        self._write(hi, {"lo": lo, "ts": ts, "count": 1, "dept": 0})
        return Case(hi, uuid_str(hi, lo), None, 1)

    def touch(self, case: Case, ts: int, contact: bool) -> Case:
        """Record activity on an open case; `contact` counts one more customer contact."""
        slot = self.table.find(case.hi)
        row = {name: self.table.get(slot, name) for name in COLUMNS}
        row["ts"] = max(row["ts"], ts)
        row["count"] = min(row["count"] + int(contact), _MAX_COUNT)
        self._write(case.hi, row)
        return self._view(case.hi, self.table.find(case.hi))

    def assign(self, hi: int, department: str) -> None:
        slot = self.table.find(hi)
        if slot < 0:
            return  # expired between apply and dispatch: nothing left to remember
        number = self._number(department)
        if number and self.table.get(slot, "dept") != number:
            row = {name: self.table.get(slot, name) for name in COLUMNS}
            self._write(hi, row | {"dept": number})

    def restore_department(self, key: bytes, value: bytes | None) -> None:
        number = codec.department_number(key)
        if number is None or number == 0 or value is None:
            return
        name = value.decode("utf-8", "replace")
        while len(self.departments) < number:
            self.departments.append("")
        self.departments[number - 1] = name
        self._numbers[name] = number

    def _number(self, department: str) -> int:
        number = self._numbers.get(department)
        if number is None:
            if len(self.departments) >= _MAX_DEPARTMENTS:
                return 0  # a config with 65535 departments is broken; keep routing anyway
            self.departments.append(department)
            number = self._numbers[department] = len(self.departments)
            self._changes.put(codec.department_key(number), department.encode())
        return number

    def _view(self, hi: int, slot: int) -> Case:
        dept = self.table.get(slot, "dept")
        name = self.departments[dept - 1] if 0 < dept <= len(self.departments) else None
        lo = self.table.get(slot, "lo")
        return Case(hi, uuid_str(hi, lo), name or None, self.table.get(slot, "count"))

    def _write(self, hi: int, row: dict[str, int]) -> None:
        self.table.put(hi, row)
        self._changes.put(codec.entry_key(codec.CASE, hi), codec.entry_value(codec.CASE, row))
