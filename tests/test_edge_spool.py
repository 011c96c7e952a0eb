"""The SQLite store-and-forward spool: order, ack, durability across reopen, and the full policy."""

from __future__ import annotations

from edge.spool import Spool


def test_order_ack_and_reopen(tmp_path):
    s = Spool(tmp_path / "s.sqlite")
    seqs = [s.put("t", f"m{i}".encode(), "new") for i in range(5)]
    assert seqs == sorted(seqs)
    s.ack(seqs[1])
    assert [r.payload for r in s.pending()] == [b"m0", b"m2", b"m3", b"m4"]
    assert [r.payload for r in s.pending(after=seqs[2])] == [b"m3", b"m4"]
    s.close()
    again = Spool(tmp_path / "s.sqlite")  # what a restarted process sees
    assert [r.payload for r in again.pending()] == [b"m0", b"m2", b"m3", b"m4"]
    assert again.put("t", b"m5") > seqs[-1]  # sequence keeps growing: replay order stays insertion order


def test_full_policy_drops_oldest_update_never_new_or_end(tmp_path):
    s = Spool(tmp_path / "s.sqlite", max_messages=10)
    for i in range(4):
        s.put("t", f"new{i}".encode(), "new")
        s.put("t", f"upd{i}".encode(), "update")
    s.put("t", b"end0", "end")
    s.put("t", b"end1", "end")  # 10 rows: full
    s.put("t", b"new4", "new")
    s.put("t", b"new5", "new")
    kept = [r.payload.decode() for r in s.pending()]
    assert "upd0" not in kept and "upd1" not in kept and "upd2" in kept
    assert s.dropped_updates == 2 and len(s) == 10
    for _ in range(4):  # only new/end left after the updates go: grows past the bound, counted
        s.put("t", b"x", "end")
    assert s.dropped_updates == 4 and s.overflow == 2 and len(s) == 12
    assert all(k in [r.payload.decode() for r in s.pending()] for k in ("new0", "new5", "end0", "end1"))
