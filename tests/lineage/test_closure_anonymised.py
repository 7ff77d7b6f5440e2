"""Downstream closure that stops at anonymised versions: reported, never expanded, same query count per level."""

import pytest

from catalog.choices import PrivacyMeasure
from lineage.choices import InputRole, JobType
from lineage.selectors import lineage_closure
from tests.factories.catalog import ModelAssetFactory, VersionFactory
from tests.factories.lineage import derive


@pytest.fixture
def graph(db):
    """
    raw ──> clean ──(training)──> model
     ├──(anonymisation job)──> export ──(training)──> export_model
     └──> masked (privacy measure: anonymised) ──> masked_report
    """
    v = {name: VersionFactory(asset__name=name) for name in ("raw", "clean", "export", "masked_report")}
    v["masked"] = VersionFactory(asset__name="masked", privacy_measure=PrivacyMeasure.ANONYMISED)
    for name in ("model", "export_model"):
        v[name] = VersionFactory(asset=ModelAssetFactory(name=f"models/{name}"))
    derive([v["raw"]], [v["clean"]], job="clean")
    derive([(v["clean"], InputRole.TRAINING_DATA)], [v["model"]], job="train", job_type=JobType.TRAINING)
    derive([v["raw"]], [v["export"]], job="anonymise", job_type=JobType.ANONYMISATION)
    derive([(v["export"], InputRole.TRAINING_DATA)], [v["export_model"]], job="train2", job_type=JobType.TRAINING)
    derive([v["raw"]], [v["masked"]], job="mask")
    derive([v["masked"]], [v["masked_report"]], job="report")
    return v


def _ids(v, *names):
    return {v[n].pk for n in names}


def test_anonymised_versions_are_reported_but_not_expanded(graph):
    # when
    closure = lineage_closure(roots=[graph["raw"].pk], direction="downstream", mode="tree", stop_at_anonymised=True)
    # then
    assert set(closure.depth) == _ids(graph, "raw", "clean", "model", "export", "masked")
    assert closure.stopped == _ids(graph, "export", "masked")
    assert closure.path_to(graph["model"].pk) == [graph["raw"].pk, graph["clean"].pk, graph["model"].pk]
    assert closure.path_to(graph["export"].pk) == [graph["raw"].pk, graph["export"].pk]
    assert (closure.depth_reached, closure.is_partial) == (2, False)


def test_without_the_option_the_closure_goes_through_anonymised_versions(graph):
    # when
    closure = lineage_closure(roots=[graph["raw"].pk], direction="downstream", mode="tree")
    # then
    assert set(closure.depth) == {v.pk for v in graph.values()}
    assert closure.stopped == set()


def test_an_anonymised_root_is_still_expanded(graph):
    # when
    closure = lineage_closure(roots=[graph["masked"].pk], direction="downstream", stop_at_anonymised=True)
    # then
    assert set(closure.depth) == _ids(graph, "masked", "masked_report")
    assert closure.stopped == set()


def test_edges_mode_keeps_the_edges_into_stopped_versions_only(graph):
    # when
    closure = lineage_closure(roots=[graph["raw"].pk], direction="downstream", mode="edges", stop_at_anonymised=True)
    # then
    assert {(e.source, e.target) for e in closure.edges} == {
        (graph["raw"].pk, graph["clean"].pk),
        (graph["clean"].pk, graph["model"].pk),
        (graph["raw"].pk, graph["export"].pk),
        (graph["raw"].pk, graph["masked"].pk),
    }


def test_stopping_costs_one_query_per_level(graph, django_assert_num_queries):
    # given: levels 1 (clean, export, masked) and 2 (model), then an empty frontier
    # when / then
    with django_assert_num_queries(3):
        lineage_closure(roots=[graph["raw"].pk], direction="downstream", stop_at_anonymised=True)


def test_depth_limit_with_stopping_flags_partial_only_for_expandable_nodes(graph):
    # when
    closure = lineage_closure(roots=[graph["raw"].pk], direction="downstream", depth=1, stop_at_anonymised=True)
    # then: clean still has a child (model); export and masked are stopped, so they do not count
    assert set(closure.depth) == _ids(graph, "raw", "clean", "export", "masked")
    assert (closure.depth_reached, closure.is_partial) == (1, True)


def test_upstream_with_stopping_is_refused(graph):
    with pytest.raises(ValueError, match="downstream"):
        lineage_closure(roots=[graph["model"].pk], direction="upstream", stop_at_anonymised=True)
