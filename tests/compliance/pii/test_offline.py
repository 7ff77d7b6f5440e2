"""The PII engines never touch the network: no model download, no Public Suffix List fetch (reference §2).

Runs in a fresh interpreter so that nothing (tldextract's extractor, spaCy, Presidio) was loaded before the
socket guard is installed.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import json, os, socket

attempts = []

def _blocked(name):
    def blocked(*args, **kwargs):
        attempts.append(name)
        raise OSError(f"network disabled in this test: {name}")
    return blocked

socket.getaddrinfo = _blocked("getaddrinfo")
socket.create_connection = _blocked("create_connection")
socket.socket.connect = _blocked("connect")
socket.socket.connect_ex = _blocked("connect_ex")

from compliance.pii import classifier, engine

pattern = engine.build_pattern_analyzer()
ner = engine.build_ner_analyzer()
try:
    engine.build_ner_analyzer(model="en_core_web_lg")
    missing_model = "built"
except engine.PiiEngineUnavailable:
    missing_model = "refused"
samples = [
    classifier.ColumnSample("email", "text", [f"user{i}@example{i % 3}.co.uk" for i in range(40)]),
    classifier.ColumnSample("name", "text", [f"{f} {l}" for f in ("Mary", "Robert", "Linda", "James")
                                             for l in ("Johnson", "Smith", "Brown", "Miller", "Davis")]),
    classifier.ColumnSample("notes", "text", [f"Please call back on +44 20 7946 09{n:02d} or mail m{n}@example.org."
                                              for n in range(12)]),
]
verdicts = [v.verdict for v in classifier.classify_columns(samples, pattern=pattern, ner=ner)]
engine.pattern_analyzer().analyze(text="jane@example.com", language="en")
engine.ner_analyzer().analyze(text="Jane Roe lives in Leeds", language="en")
work_attempts = list(attempts)

# Canary: an extractor left with the default URLs does try the network, and the guard sees it.
import tldextract
tldextract.TLDExtract(cache_dir=None, suffix_list_urls=("https://publicsuffix.org/list/public_suffix_list.dat",))(
    "a.example.com"
)
print(json.dumps({"work": work_attempts, "canary": len(attempts) - len(work_attempts),
                  "missing_model": missing_model, "verdicts": verdicts}))
"""


def test_building_engines_and_analysing_make_no_network_attempt(tmp_path: Path):
    # given: a fresh interpreter, an empty home directory, every socket entry point raising
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", None)
    # when
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        timeout=300,
        check=False,
    )
    # then
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["work"] == []
    assert report["canary"] >= 1
    assert report["missing_model"] == "refused"
    assert report["verdicts"] == ["IS", "IS", "CONTAINS"]
    assert list(tmp_path.iterdir()) == []
