"""Lineage traversal over Edge: chains, diamonds, cycles, depth limits, one query per level."""

import pytest

from lineage.choices import InputRole, JobType
from lineage.selectors import lineage_closure, lineage_downstream, lineage_upstream
from tests.factories.catalog import ModelAssetFactory, VersionFactory
from tests.factories.lineage import derive


@pytest.fixture
def graph(db):
    """
    raw_a ─┐            ┌─> clean ──(training)──> base ──(fine-tune)──> tuned ──(quantise)──> int8
    raw_b ─┴─> joined ──┤                                  ^
                        └─> features ──────────────────────┘   (a diamond: joined reaches tuned twice)
    """
    v = {name: VersionFactory(asset__name=name) for name in ("raw_a", "raw_b", "joined", "clean", "features")}
    for name in ("base", "tuned", "int8"):
        v[name] = VersionFactory(asset=ModelAssetFactory(name=f"models/{name}"))
    derive([v["raw_a"], v["raw_b"]], [v["joined"]], job="join")
    derive([v["joined"]], [v["clean"]], job="clean")
    derive([v["joined"]], [v["features"]], job="features")
    derive([(v["clean"], InputRole.TRAINING_DATA)], [v["base"]], job="train", job_type=JobType.TRAINING)
    derive(
        [(v["base"], InputRole.BASE_MODEL), (v["features"], InputRole.TRAINING_DATA)],
        [v["tuned"]],
        job="ft",
        job_type=JobType.FINE_TUNING,
    )
    derive([(v["tuned"], InputRole.BASE_MODEL)], [v["int8"]], job="q", job_type=JobType.QUANTISATION)
    return v


def _ids(v, *names):
    return {v[n].pk for n in names}


def test_upstream_of_a_quantised_model_reaches_every_ancestor(graph):
    # when
    result = lineage_upstream(version=graph["int8"])
    # then
    assert {n.id for n in result.nodes} == _ids(
        graph, "int8", "tuned", "base", "features", "clean", "joined", "raw_a", "raw_b"
    )
    depth = {n.id: n.depth for n in result.nodes}
    assert depth[graph["tuned"].pk] == 1
    assert depth[graph["raw_a"].pk] == 4  # shortest path: tuned → features → joined → raw_a
    assert (result.depth_reached, result.is_partial) == (4, False)


def test_upstream_edges_carry_roles_from_input_to_output(graph):
    result = lineage_upstream(version=graph["tuned"], depth=1)
    assert {(e.source, e.target, e.role) for e in result.edges} == {
        (graph["base"].pk, graph["tuned"].pk, InputRole.BASE_MODEL),
        (graph["features"].pk, graph["tuned"].pk, InputRole.TRAINING_DATA),
    }


def test_downstream_through_a_diamond_visits_each_node_once(graph):
    # when
    result = lineage_downstream(version=graph["raw_a"])
    # then
    ids = [n.id for n in result.nodes]
    assert len(ids) == len(set(ids))
    assert set(ids) == _ids(graph, "raw_a", "joined", "clean", "features", "base", "tuned", "int8")
    assert {n.id: n.depth for n in result.nodes}[graph["tuned"].pk] == 3  # shortest: joined → features → tuned


def test_depth_limit_cuts_and_flags_partial(graph):
    result = lineage_downstream(version=graph["raw_a"], depth=2)
    assert {n.id for n in result.nodes} == _ids(graph, "raw_a", "joined", "clean", "features")
    assert (result.depth_reached, result.is_partial) == (2, True)


def test_exact_depth_is_not_partial(graph):
    result = lineage_upstream(version=graph["base"], depth=3)
    assert (result.depth_reached, result.is_partial) == (3, False)


def test_depth_zero_is_the_root_alone_and_partial_when_it_has_neighbours(graph):
    result = lineage_upstream(version=graph["base"], depth=0)
    assert [n.id for n in result.nodes] == [graph["base"].pk]
    assert result.is_partial is True


def test_a_cycle_terminates(db):
    # given a → b → c → a (three runs)
    a, b, c = VersionFactory(), VersionFactory(), VersionFactory()
    derive([a], [b], job="ab")
    derive([b], [c], job="bc")
    derive([c], [a], job="ca")
    # when
    result = lineage_downstream(version=a, depth=50)
    # then
    assert {n.id for n in result.nodes} == {a.pk, b.pk, c.pk}
    assert len(result.edges) == 3
    assert (result.depth_reached, result.is_partial) == (2, False)


def test_tree_mode_records_a_path_with_runs(graph):
    closure = lineage_closure(roots=[graph["raw_b"].pk], direction="downstream", mode="tree")
    assert closure.path_to(graph["int8"].pk)[0] == graph["raw_b"].pk
    assert closure.path_to(graph["int8"].pk)[-1] == graph["int8"].pk
    hops = closure.path_with_runs(graph["int8"].pk)
    assert hops[0] == (graph["raw_b"].pk, None)
    assert all(run is not None for _, run in hops[1:])


def test_query_count_is_one_per_level_plus_hydration(graph, django_assert_num_queries):
    # four levels upstream of int8, one more level that finds nothing, one hydration query
    with django_assert_num_queries(6):
        lineage_upstream(version=graph["int8"].pk)
