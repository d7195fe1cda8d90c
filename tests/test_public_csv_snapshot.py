"""`/models.csv` of the shared snapshot agrees with an independent score computation.

The independent side reads the YAML files and `_parameters.yml` with PyYAML alone and applies
the upstream rule as documented (open 1, partial 0.5, anything else 0; a dimension counts when
it shares a type with the model; total = mean over counted dimensions), without any project code.
"""
import csv
import io
from fractions import Fraction

import pytest
import yaml

POINTS = {"open": Fraction(1), "partial": Fraction(1, 2)}


def independent_scores(folder):
    parameters = yaml.safe_load((folder / "_parameters.yml").read_text(encoding="utf-8"))
    dimensions = [
        (
            param["ref"],
            str(param.get("name") or param["ref"]).strip(),
            {str(t).strip() for t in param.get("types") or []},
        )
        for category in parameters for param in category.get("params") or []
    ]
    expected = {}
    for path in sorted(folder.glob("*.y*ml")):
        if path.name.startswith("_"):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        system = data.get("system") or {}
        name = str(system.get("name") or "").strip()
        if not name:
            continue  # the importer skips nameless files (and says so)
        types = {t.strip().lower() for t in str(system.get("type") or "").split(",") if t.strip()}
        per_dimension = {}
        counted = []
        for ref, label, dimension_types in dimensions:
            if types and not (types & dimension_types):
                per_dimension[label] = None
                continue
            grade = str((data.get(ref) or {}).get("class") or "").strip().lower()
            points = POINTS.get(grade, Fraction(0))
            per_dimension[label] = points
            counted.append(points)
        total = sum(counted, Fraction(0)) / len(counted) if counted else Fraction(0)
        expected[name] = (str(system.get("link") or "").strip(), round(float(total) * 100), per_dimension)
    return expected


@pytest.mark.slow
def test_csv_matches_independent_scores_for_every_model(client, db, shared_database):
    from curation.interchange.importer import import_index

    import_index(shared_database)
    response = client.get("/models.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Model name", "URL", "Total score"]

    expected = independent_scores(shared_database)
    got = {row[0]: row for row in body}
    assert set(got) == set(expected), (set(got) ^ set(expected))
    assert len(body) == len(expected) > 150

    dimension_columns = header[3:]
    mismatches = []
    for name, (link, total, per_dimension) in expected.items():
        row = got[name]
        if int(row[2]) != total:
            mismatches.append(f"{name}: total {row[2]} != {total}")
        if row[1] != link:
            mismatches.append(f"{name}: URL {row[1]!r} != {link!r}")
        assert set(dimension_columns) == set(per_dimension), dimension_columns
        for label, cell in zip(dimension_columns, row[3:]):
            want = per_dimension[label]
            if (cell == "" and want is not None) or (cell != "" and Fraction(cell) != want):
                mismatches.append(f"{name}: {label} {cell!r} != {want}")
    assert not mismatches, "\n".join(mismatches[:20])

    # In the upstream order: total score, highest first.
    totals = [int(r[2]) for r in body]
    assert totals == sorted(totals, reverse=True)
