"""The API answers a fixed sequence of requests byte for byte as it did when
api_snapshot.golden.json was recorded (times, ids, pids and paths
normalised). After an intended change of an answer, record it again:
LEOFLOW_BIN_DIR=build/bin python3 test/integration/api_snapshot.py \\
    test/integration/api_snapshot.golden.json"""
import json
from pathlib import Path

import api_snapshot

GOLDEN = Path(__file__).with_name("api_snapshot.golden.json")


def test_answers_match_the_recording(tmp_path):
    out = tmp_path / "now.json"
    api_snapshot.main(str(out))
    golden = json.loads(GOLDEN.read_text())
    now = json.loads(out.read_text())
    assert [r["request"] for r in now] == [r["request"] for r in golden]
    for before, after in zip(golden, now):
        assert after == before, before["request"]
