"""``manage.py ingest_openlineage FILE…``: JSON, JSON arrays, JSONL, gzip and stdin, with a summary and exit status."""

import gzip
import io
import json
import sys
import uuid

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from lineage.models import OpenLineageEvent, Run
from tests.lineage.ol import dataset, run_event

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest_openlineage", *args, stdout=out)
    return out.getvalue()


def test_json_array_and_jsonl_files_are_ingested_and_summarised(tmp_path):
    # given
    run_id = uuid.uuid4()
    array = tmp_path / "events.json"
    array.write_text(
        json.dumps(
            [
                run_event("START", run_id=run_id, outputs=[dataset("s3://o", "t")]),
                run_event("COMPLETE", run_id=run_id, minutes=1),
            ]
        )
    )
    lines = tmp_path / "events.jsonl"
    lines.write_text("\n".join(json.dumps(run_event("START")) for _ in range(3)) + "\n\n")
    # when
    output = _run(str(array), str(lines))
    # then
    assert output == "accepted: 5, duplicate: 0, rejected: 0\n"
    assert OpenLineageEvent.objects.count() == 5
    assert Run.objects.get(run_id=run_id).state == "COMPLETE"
    audit = AuditEvent.objects.filter(action="ingest").first()
    assert (audit.channel, audit.actor_label, audit.actor_id) == ("command", "manage.py ingest_openlineage", None)


def test_a_second_load_reports_duplicates(tmp_path):
    # given
    path = tmp_path / "one.json"
    path.write_text(json.dumps(run_event("START")))
    _run(str(path))
    # when
    output = _run(str(path))
    # then
    assert output == "accepted: 0, duplicate: 1, rejected: 0\n"
    assert OpenLineageEvent.objects.count() == 1


def test_rejected_events_are_listed_and_the_command_fails(tmp_path):
    # given a JSONL file with a valid event, a line that is not JSON and an event whose runId is not a UUID
    bad = run_event("START")
    bad["run"]["runId"] = "run_id"
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([json.dumps(run_event("START")), "{oops", json.dumps(bad)]))
    out = io.StringIO()
    # when
    with pytest.raises(CommandError, match=r"^2 event\(s\) rejected$"):
        call_command("ingest_openlineage", str(path), stdout=out)
    # then the valid event is stored and the others are listed with their reasons
    assert out.getvalue().splitlines() == [
        "accepted: 1, duplicate: 0, rejected: 2",
        f"  rejected {path}:2: not JSON (Expecting property name enclosed in double quotes, column 2)",
        f"  rejected {path}:3: run.runId is not a UUID: 'run_id'",
    ]
    assert OpenLineageEvent.objects.count() == 1


def test_gzip_from_stdin(monkeypatch):
    # given
    data = gzip.compress(json.dumps([run_event("START"), run_event("START")]).encode())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    # when
    output = _run("-")
    # then
    assert output == "accepted: 2, duplicate: 0, rejected: 0\n"


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        _run(str(tmp_path / "absent.json"))
    assert OpenLineageEvent.objects.count() == 0
