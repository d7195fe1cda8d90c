"""The index as a Frictionless Data Package: its tables, their schemas, and the codebook.

Every schema is generated from the one source of truth: the dimension registry (the database's
`Dimension` rows, through `curation.public.queries.registry_columns`), the vocabularies of
`curation.vocab` and the download functions' own headers (`curation.public.downloads`). Each
CSV table has a Frictionless Table Schema (in `datapackage.json`) and a JSON Schema of one row
(every cell a string, as CSV has it, with the table's constraints as patterns and enums); the
JSON download has a JSON Schema of the whole document.

Tables: `models` (/models.csv), `models-details` (/models-details.csv), `models-json`
(/models.json), `grades` (grades with their evidence, /data/grades.csv), `organisations`
(/data/organisations.csv) and `vocabularies` (every controlled vocabulary, /data/vocabularies.csv).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse

from curation import vocab
from curation.models import AIModel, Assessment, Organisation
from curation.public import downloads
from curation.public.queries import Columns
from curation.scoring import applies

# The controlled vocabularies published with the data: name -> TextChoices of curation.vocab.
VOCABULARIES = {
    "grade": vocab.Grade,
    "model_type": vocab.ModelType,
    "performance_class": vocab.PerformanceClass,
    "release_date_precision": vocab.DatePrecision,
    "sector": vocab.Sector,
    "contributor_kind": vocab.ContributorKind,
    "big_tech_bloc": vocab.BigTechBloc,
    "origin_scope": vocab.OriginScope,
    "region": vocab.Region,
}

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
_INTEGER = r"^[0-9]+$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_URL = r"^https?://\S+$"


@dataclass(frozen=True)
class Column:
    """One CSV column as a Frictionless Table Schema field. `enum` lists the allowed values
    (besides "" when not `required`); `pattern` constrains the text."""

    name: str
    type: str = "string"
    description: str = ""
    required: bool = False
    enum: tuple[str, ...] = ()
    pattern: str = ""
    minimum: float | None = None
    maximum: float | None = None
    format: str = ""

    def table_field(self) -> dict:
        result: dict = {"name": self.name, "type": self.type}
        if self.format:
            result["format"] = self.format
        if self.description:
            result["description"] = self.description
        constraints: dict = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.pattern and self.type == "string":
            constraints["pattern"] = self.pattern
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            result["constraints"] = constraints
        return result

    def cell_schema(self) -> dict:
        """The JSON Schema of this column's cell as CSV text."""
        if self.enum:
            allowed = list(self.enum) + ([] if self.required else [""])
            return {"type": "string", "enum": allowed, "description": self.description or self.name}
        pattern = self.pattern or {"number": _NUMBER, "integer": _INTEGER, "date": _DATE}.get(self.type, "")
        if self.format == "uri":
            pattern = _URL
        schema: dict = {"type": "string", "description": self.description or self.name}
        if pattern:
            schema["pattern"] = pattern if self.required else f"^$|{pattern}"
        elif self.required:
            schema["minLength"] = 1
        return schema


# The app's URL namespace (curation.public.urls).
NAMESPACE = "curation"


def site_path(url_name: str, *args) -> str:
    """The address of the app's view `url_name` (so a host site may mount the app anywhere)."""
    return reverse(f"{NAMESPACE}:{url_name}", args=args)


@dataclass(frozen=True)
class Table:
    """A CSV resource of the package: `name` (its id), `url_name` (the view of its download)."""

    name: str
    url_name: str
    title: str
    description: str
    columns: list[Column] = field(default_factory=list)

    @property
    def path(self) -> str:
        return site_path(self.url_name)

    def table_schema(self) -> dict:
        return {"fields": [c.table_field() for c in self.columns], "missingValues": [""]}

    def row_json_schema(self, schema_url: str) -> dict:
        return {
            "$schema": JSON_SCHEMA_DIALECT,
            "$id": schema_url,
            "title": f"{self.title}: one row",
            "description": f"One row of {self.path} read as CSV text (every cell a string; empty where no value).",
            "type": "object",
            "properties": {c.name: c.cell_schema() for c in self.columns},
            "required": [c.name for c in self.columns],
            "additionalProperties": False,
        }


def _choices(choices) -> tuple[str, ...]:
    return tuple(str(value) for value in choices.values)


def _labels(choices) -> tuple[str, ...]:
    return tuple(str(label) for label in choices.labels)


def _types_pattern() -> str:
    one = "|".join(_choices(vocab.ModelType))
    return f"^({one})(,({one}))*$"


def _points() -> tuple[str, ...]:
    """A dimension's points as the CSV writes them (`1`, `0.5`, `0`), from the grades' points."""
    return tuple(sorted({f"{float(points):g}" for points in vocab.GRADE_POINTS.values()}))


def models_table(columns: Columns) -> Table:
    dims = [
        Column(
            d.name,
            "number",
            f"Points for “{d.name}” ({d.ref}): 1 open, 0.5 partial, 0 closed or not assessed; "
            "empty where the dimension does not apply to the model's types.",
            enum=_points(),
        )
        for d in columns.dimensions
    ]
    table = Table(
        "models",
        "models_csv",
        "Models and their openness",
        "The index as upstream's CSV: total score (0–1, 4 decimals) and points per dimension.",
        [
            Column("Model Name", required=True),
            Column("URL", "string", "The model's page on this site.", format="uri"),
            Column(
                "Total Score",
                "number",
                "Mean points of the applicable dimensions, 0–1.",
                required=True,
                pattern=r"^(0\.[0-9]{4}|1\.0000)$",
                minimum=0,
                maximum=1,
            ),
            *dims,
        ],
    )
    _check_header(table, downloads.csv_header(columns))
    return table


def models_details_table(columns: Columns) -> Table:
    grade_labels = _labels(vocab.Grade)
    cols = [
        Column("Model Name", required=True),
        Column("URL", format="uri"),
        Column("Link", format="uri"),
        Column("Organisation"),
        Column("Types", description="Model types, comma-separated (vocabulary model_type).", pattern=_types_pattern()),
        Column("Performance class", enum=_choices(vocab.PerformanceClass)),
        Column(
            "Release",
            description="Release date: YYYY-MM, or YYYY when only the year is known.",
            pattern=r"^[0-9]{4}(-[0-9]{2})?$",
        ),
        Column("Base model"),
        Column("End model"),
        Column("End model licence"),
        Column(
            "Total score (%)", "integer", "Total score as a whole percentage.", required=True, minimum=0, maximum=100
        ),
        *[
            Column(
                f"{c.name} (%)",
                "integer",
                f"Score of the category {c.ref} as a whole percentage.",
                minimum=0,
                maximum=100,
            )
            for c in columns.categories
        ],
        *[
            Column(
                d.name,
                description=f"Grade of “{d.name}” ({d.ref}) in words; empty where it does not apply.",
                enum=grade_labels,
            )
            for d in columns.dimensions
        ],
        Column(downloads.ADOPTION_HEADER[0], "integer"),
        Column(downloads.ADOPTION_HEADER[1], "integer"),
        Column(downloads.ADOPTION_HEADER[2], "integer"),
        Column(downloads.ADOPTION_HEADER[3], "date"),
    ]
    table = Table(
        "models-details",
        "models_details_csv",
        "Models in detail",
        "Details, category scores and grades in words, and Hugging Face adoption figures.",
        cols,
    )
    _check_header(table, downloads.details_csv_header(columns))
    return table


GRADES_HEADER = ["Model", "Model slug", "Dimension", "Dimension name", "Grade", "Evidence links", "Notes"]
ORGANISATIONS_HEADER = [
    "Name",
    "Slug",
    "Link",
    "National origin",
    "Country",
    "Region",
    "Sector",
    "Contributor kind",
    "Big Tech bloc",
    "Public models",
]
VOCABULARIES_HEADER = ["Vocabulary", "Value", "Label"]


def grades_table(columns: Columns) -> Table:
    return Table(
        "grades",
        "grades_csv",
        "Grades with evidence",
        "One row per public model and applicable dimension: its grade and the evidence behind it.",
        [
            Column("Model", required=True),
            Column("Model slug", required=True),
            Column(
                "Dimension",
                enum=tuple(d.ref for d in columns.dimensions),
                required=True,
                description="Dimension ref (see the codebook).",
            ),
            Column("Dimension name", required=True),
            Column("Grade", enum=_choices(vocab.Grade), required=True, description="Vocabulary grade."),
            Column(
                "Evidence links",
                description="Links to the evidence, separated by spaces.",
                pattern=r"^(https?://\S+)( https?://\S+)*$",
            ),
            Column("Notes", description="The curators' public notes on the grade."),
        ],
    )


def organisations_table() -> Table:
    return Table(
        "organisations",
        "organisations_csv",
        "Organisations",
        "Published organisations with their usual classification and number of public models.",
        [
            Column("Name", required=True),
            Column("Slug", required=True),
            Column("Link", format="uri"),
            Column("National origin", enum=_choices(vocab.OriginScope), required=True),
            Column(
                "Country",
                description="ISO 3166-1 alpha-2 code, for a national origin “country”.",
                pattern=r"^[A-Z]{2}$",
            ),
            Column("Region", enum=_choices(vocab.Region), required=True),
            Column("Sector", enum=_choices(vocab.Sector)),
            Column("Contributor kind", enum=_choices(vocab.ContributorKind)),
            Column("Big Tech bloc", enum=_choices(vocab.BigTechBloc), required=True),
            Column("Public models", "integer", required=True),
        ],
    )


def vocabularies_table() -> Table:
    return Table(
        "vocabularies",
        "vocabularies_csv",
        "Classification vocabularies",
        "Every controlled vocabulary: the value the data use and its label.",
        [
            Column("Vocabulary", enum=tuple(VOCABULARIES), required=True),
            Column("Value", required=True),
            Column("Label", required=True),
        ],
    )


def _check_header(table: Table, header: list[str]) -> None:
    names = [c.name for c in table.columns]
    if names != list(header):  # a download's columns changed without its schema: say so loudly
        raise AssertionError(f"schema of {table.name} does not match its download's header: {names} != {header}")


def csv_tables(columns: Columns) -> list[Table]:
    return [
        models_table(columns),
        models_details_table(columns),
        grades_table(columns),
        organisations_table(),
        vocabularies_table(),
    ]


def models_json_schema(columns: Columns, schema_url: str) -> dict:
    """The JSON Schema of /models.json (curation.public.downloads.index_json)."""
    nullable_int = {"type": ["integer", "null"], "minimum": 0}
    grades = {"type": ["string", "null"], "enum": [*_choices(vocab.Grade), None]}
    model = {
        "type": "object",
        "required": [
            "name",
            "slug",
            "page",
            "link",
            "organisation",
            "types",
            "performance_class",
            "base_model",
            "end_model",
            "end_model_licence",
            "release_date",
            "total_score",
            "category_scores",
            "grades",
            "adoption",
        ],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "slug": {"type": "string"},
            "page": {"type": ["string", "null"], "pattern": _URL},
            "link": {"type": "string"},
            "organisation": {
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["name", "slug"],
                        "additionalProperties": False,
                        "properties": {"name": {"type": "string"}, "slug": {"type": "string"}},
                    },
                ]
            },
            "types": {"type": "array", "items": {"enum": list(_choices(vocab.ModelType))}, "uniqueItems": True},
            "performance_class": {"enum": [*_choices(vocab.PerformanceClass), None]},
            "base_model": {"type": "string"},
            "end_model": {"type": "string"},
            "end_model_licence": {"type": "string"},
            "release_date": {"type": ["string", "null"], "pattern": r"^[0-9]{4}(-[0-9]{2})?$"},
            "total_score": {"type": "integer", "minimum": 0, "maximum": 100},
            "category_scores": {
                "type": "object",
                "additionalProperties": False,
                "required": [c.ref for c in columns.categories],
                "properties": {
                    c.ref: {"type": ["integer", "null"], "minimum": 0, "maximum": 100} for c in columns.categories
                },
            },
            "grades": {
                "type": "object",
                "additionalProperties": False,
                "required": [d.ref for d in columns.dimensions],
                "properties": {d.ref: {**grades, "description": d.name} for d in columns.dimensions},
            },
            "adoption": {
                "type": "object",
                "additionalProperties": False,
                "required": ["downloads_30d", "downloads_all_time", "likes", "read_on"],
                "properties": {
                    "downloads_30d": nullable_int,
                    "downloads_all_time": nullable_int,
                    "likes": nullable_int,
                    "read_on": {"type": ["string", "null"], "pattern": _DATE},
                },
            },
        },
    }
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_url,
        "title": "The index as JSON (/models.json)",
        "type": "object",
        "required": ["dimensions", "count", "models"],
        "additionalProperties": False,
        "properties": {
            "dimensions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["ref", "name", "category"],
                    "additionalProperties": False,
                    "properties": {
                        "ref": {"enum": [d.ref for d in columns.dimensions]},
                        "name": {"type": "string"},
                        "category": {"enum": [c.ref for c in columns.categories]},
                    },
                },
            },
            "count": {"type": "integer", "minimum": 0},
            "models": {"type": "array", "items": model},
        },
    }


# --- the tables only the data package offers ----------------------------------------------------


def _csv(header: list[str], rows: Iterable[list]) -> str:
    return downloads._csv_text(header, rows)


def grades_csv(columns: Columns) -> str:
    """Every public model's grade on each dimension that applies to it, with its evidence links
    (space-separated) and public notes; in the index's order, dimensions in registry order."""
    specs = {d.pk: (d, columns.spec(d)) for d in columns.dimensions}
    position = {d.pk: i for i, d in enumerate(columns.dimensions)}
    models = {m.pk: m for m in AIModel.objects.public().only("pk", "name", "slug", "types")}
    order = list(AIModel.objects.public().index_order().values_list("pk", flat=True))
    by_model: dict[int, list] = {}
    for a in (
        Assessment.objects.filter(ai_model_id__in=models.keys(), dimension_id__in=specs.keys())
        .only("ai_model_id", "dimension_id", "grade", "links", "notes")
        .iterator(chunk_size=2000)
    ):
        by_model.setdefault(a.ai_model_id, []).append(a)

    def rows():
        for pk in order:
            model = models[pk]
            for a in sorted(by_model.get(pk, []), key=lambda a: position[a.dimension_id]):
                dimension, spec = specs[a.dimension_id]
                if not applies(spec, model.type_list):
                    continue
                links = " ".join(str(link) for link in (a.links or []) if str(link).startswith(("http://", "https://")))
                yield [model.name, model.slug, dimension.ref, dimension.name, a.grade, links, a.notes]

    return _csv(GRADES_HEADER, rows())


def organisations_csv() -> str:
    organisations = (
        Organisation.objects.public()
        .annotate(public_models=Count("ai_models", filter=Q(ai_models__in=AIModel.objects.public())))
        .order_by("name", "pk")
    )
    return _csv(
        ORGANISATIONS_HEADER,
        (
            [
                o.name,
                o.slug,
                o.link,
                o.origin_scope,
                o.country.code if o.country else "",
                o.region,
                o.sector,
                o.contributor_kind,
                o.big_tech_bloc,
                o.public_models,
            ]
            for o in organisations
        ),
    )


def vocabularies_csv() -> str:
    return _csv(
        VOCABULARIES_HEADER,
        ([name, value, label] for name, choices in VOCABULARIES.items() for value, label in choices.choices),
    )


# --- the package ---------------------------------------------------------------------------------

# Each table's file name among a release's frozen files (curation.public.release_files).
TABLE_FILES = {
    "models": "models.csv",
    "models-details": "models-details.csv",
    "models-json": "models.json",
    "grades": "grades.csv",
    "organisations": "organisations.csv",
    "vocabularies": "vocabularies.csv",
}


def datapackage(
    columns: Columns,
    *,
    absolute,
    name: str = "osai-index",
    version: str = "",
    title: str = "European Open Source AI Index",
    paths: dict[str, str] | None = None,
    schema_path=None,
    created: str = "",
) -> dict:
    """The Frictionless Data Package descriptor. `absolute(path)` makes a site path absolute;
    `paths` ({table name: path}), when given, lists the only tables and where they are (a
    release's frozen files); `schema_path(table name)` is where a JSON Schema is (today's by
    default); `version` names the data."""
    schema_path = schema_path or (lambda table: site_path("table_schema", table))
    resources = []
    for table in csv_tables(columns):
        if paths is not None and table.name not in paths:
            continue
        path = paths[table.name] if paths is not None else table.path
        resources.append(
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": absolute(path),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": True},
                "schema": table.table_schema(),
                "jsonSchema": absolute(schema_path(table.name)),
            }
        )
    if paths is None or "models-json" in paths:
        json_path = paths["models-json"] if paths is not None else site_path("models_json")
        resources.insert(
            min(2, len(resources)),
            {
                "name": "models-json",
                "title": "The index as JSON",
                "path": absolute(json_path),
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "Every model with its details, scores and grades (the same data as the CSV tables).",
                "jsonSchema": absolute(schema_path("models-json")),
            },
        )
    package = {
        "name": name,
        "title": title,
        "description": "Openness of generative AI models on the dimensions of the index, with the evidence, "
        "the organisations behind them and the vocabularies of their classification.",
        "homepage": absolute(site_path("data_index")),
        "licenses": [LICENCE],
        "resources": resources,
    }
    if version:
        package["version"] = version
    if created:
        package["created"] = created
    return package


def schema_for(name: str, columns: Columns, schema_url: str) -> dict | None:
    """The JSON Schema of table `name` (a CSV row, or the JSON document); None when unknown."""
    if name == "models-json":
        return models_json_schema(columns, schema_url)
    for table in csv_tables(columns):
        if table.name == name:
            return table.row_json_schema(schema_url)
    return None


def schema_names(columns: Columns) -> list[str]:
    """The tables' names in the package's order."""
    names = [t.name for t in csv_tables(columns)]
    return [*names[:2], "models-json", *names[2:]]


def dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
