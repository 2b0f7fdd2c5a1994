from pathlib import Path

from connectors.email.checkpoint import Checkpoint, Position


def test_round_trip(tmp_path: Path) -> None:
    cp = Checkpoint(tmp_path / "sub" / "imap.json")
    assert cp.load("INBOX") is None
    cp.save(Position("INBOX", 1700000000, 42))
    assert cp.load("INBOX") == Position("INBOX", 1700000000, 42)
    cp.save(Position("INBOX", 1700000000, 43))
    assert cp.load("INBOX") == Position("INBOX", 1700000000, 43)
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["imap.json"]  # no temp left


def test_other_mailbox_or_garbage_means_start_over(tmp_path: Path) -> None:
    path = tmp_path / "imap.json"
    cp = Checkpoint(path)
    cp.save(Position("INBOX", 1, 5))
    assert cp.load("Support") is None
    path.write_bytes(b"{not json")
    assert cp.load("INBOX") is None
    path.write_bytes(b'{"mailbox": "INBOX"}')
    assert cp.load("INBOX") is None
