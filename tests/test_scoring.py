from fractions import Fraction

from hypothesis import given, strategies as st

from curation.scoring import DimensionSpec, applies, compute_scores
from curation.vocab import GRADE_POINTS, Grade

ALL = frozenset({"text", "image", "code", "video", "audio"})
DIMS = [
    DimensionSpec("a1", "availability", ALL),
    DimensionSpec("a2", "availability", frozenset({"text"})),
    DimensionSpec("d1", "documentation", ALL),
    DimensionSpec("legacy", "access", ALL, active=False),
    DimensionSpec("l1", "access", ALL),
]


def test_total_is_mean_of_applicable_dimensions_not_of_category_means():
    scores = compute_scores(DIMS, ["text"], {"a1": "open", "a2": "partial", "d1": "closed", "l1": "open"})
    assert scores.total == Fraction(1 + Fraction(1, 2) + 0 + 1, 4)
    assert scores.categories == {"availability": Fraction(3, 4), "documentation": 0, "access": 1}


def test_dimension_of_other_type_does_not_apply():
    scores = compute_scores(DIMS, ["image"], {"a1": "open", "a2": "open", "d1": "open", "l1": "open"})
    assert scores.total == 1
    assert not applies(DIMS[1], ["image"])


def test_legacy_dimension_never_counts():
    with_legacy = compute_scores(DIMS, ["text"], {"legacy": "open"})
    assert with_legacy.total == 0


def test_not_assessed_counts_zero_like_upstream():
    assert compute_scores(DIMS, ["text"], {"a1": Grade.NOT_ASSESSED}).total == 0


@given(st.dictionaries(st.sampled_from(["a1", "a2", "d1", "l1"]), st.sampled_from(list(Grade.values))))
def test_scores_are_bounded(grades):
    scores = compute_scores(DIMS, ["text"], grades)
    assert 0 <= scores.total <= 1


@given(st.lists(st.one_of(st.sampled_from(sorted(set(GRADE_POINTS.values()))), st.fractions(0, 1, max_denominator=12))))
def test_a_mean_is_the_exact_mean_of_its_fractions(values):
    from curation.scoring import _mean

    expected = sum(values, Fraction(0)) / len(values) if values else None
    found = _mean(values)
    assert found == expected and type(found) is type(expected)
