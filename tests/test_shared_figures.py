"""Figures that read every public model, worked out once per data version for the whole site
(curation.public.caching.shared_per_data_version) and by the worker right after a change."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from curation.datachanges import record_data_change
from curation.public import headline
from curation.public.caching import shared_per_data_version


def test_a_shared_figure_is_worked_out_once_per_data_version_for_every_process(db):
    calls = []

    @shared_per_data_version("test-figure")
    def figure(refs: tuple[str, ...], word: str) -> str:
        calls.append((refs, word))
        return f"{len(calls)}:{word}"

    assert figure(("a", "b"), "x") == "1:x"
    # Another process has no memo of its own: it reads what the first one kept.
    another_process = figure.__wrapped__
    assert another_process(("a", "b"), "x") == "1:x"
    assert figure(("a", "c"), "x") == "2:x"  # other arguments, another value
    record_data_change("a reviewed change")
    assert figure(("a", "b"), "x") == "3:x"  # a new data version: worked out again
    assert another_process(("a", "b"), "x") == "3:x"
    assert len(calls) == 3


def test_the_worker_works_out_the_headline_so_the_home_page_after_a_change_reads_it(client, make_ai_model):
    from curation import tasks

    make_ai_model("First", grades={"weights_endmodel": "open"})
    record_data_change("a reviewed change")
    assert tasks._work_out_headline() is True
    another_process = headline._headline.__wrapped__
    with CaptureQueriesContext(connection) as captured:
        figures = another_process("weights_endmodel")
    assert figures.model_count == 1 and figures.open_weights_percent == 100
    assert not [q for q in captured.captured_queries if "curation_aimodel" in q["sql"]]

    make_ai_model("Second", grades={"weights_endmodel": "closed"})
    record_data_change("another change")
    body = client.get("/").content.decode()
    assert "<strong>2</strong> models" in body  # the first reader after a change works it out
    assert "<strong>50%</strong> with open end-model weights" in body
