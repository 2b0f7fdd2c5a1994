"""State mutations waiting to be written to the changelog in the next transaction."""


class Changes:
    def __init__(self) -> None:
        # One record per state key: compaction keeps only the last value of a key anyway, so
        # a case touched ten times in one batch costs one changelog record, not ten.
        self._pending: dict[bytes, bytes | None] = {}

    def put(self, key: bytes, value: bytes | None) -> None:
        self._pending[key] = value

    def drain(self) -> list[tuple[bytes, bytes | None]]:
        out = list(self._pending.items())
        self._pending.clear()
        return out

    def __len__(self) -> int:
        return len(self._pending)
