"""Loading and reading the dimension registry (the single source of truth for dimensions).

The registry is data in the database, loaded from a `_parameters.yml`-shaped file. Code that
needs dimensions asks `scoring_dimensions()` or the Dimension model; nothing lists them by hand.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml
from django.db import transaction

from curation import vocab
from curation.models import Dimension, DimensionCategory, RegistryVersion
from curation.scoring import DimensionSpec

# The dimensions that decide "open weights" versus "open source" (the adoption charts and the
# home page): end-model weights against training data, training code and licence. Refs absent
# from the registry are ignored.
OPEN_WEIGHTS_DIMENSION = "weights_endmodel"
OPEN_SOURCE_DIMENSIONS = ("datasources_basemodel", "datasources_endmodel", "trainingcode", "licenses")

DEFAULT_REGISTRY = Path(__file__).resolve().parent / "registry_data" / "parameters.yml"
# Dimensions the current upstream registry dropped; still accepted on import.
LEGACY_DIMENSIONS = {
    "package": ("Package", "access", "Is the system released as a package through a standard repository?"),
    "api": ("API", "access", "Is an API available, and is it documented?"),
}


class RegistryError(ValueError):
    """A registry file that cannot be used; `file`, `line` (or None) and `reason` say where and why."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, reason: str | None = None):
        super().__init__(message)
        self.file, self.line, self.reason = file, line, reason or message


def _types_field(types: object) -> str:
    """The applicable types as stored: no `types` key means every type; an empty list (`types: []`)
    means none, as upstream reads it (the dimension applies to no model)."""
    if types is None:
        return ",".join(vocab.ModelType.values)
    if isinstance(types, (list, tuple)) and not types:
        return ""
    if not types:
        return ",".join(vocab.ModelType.values)
    parsed = vocab.parse_model_types(",".join(types) if isinstance(types, list) else types)
    if parsed is None:
        raise RegistryError(f"unknown model type in {types!r}")
    return ",".join(parsed)


@transaction.atomic
def load_registry(parameters_path: Path | str = DEFAULT_REGISTRY, descriptions_path: Path | str | None = None) -> int:
    """Create or update categories and dimensions from a `_parameters.yml` file.

    An optional `_parameters-descriptions.yml` gives each dimension its description; criteria
    texts (`open`, `partial`, `closed`) may sit on each dimension in the parameters file.
    Dimensions absent from the file but present in the database become legacy, never deleted.
    Returns the number of active dimensions.
    """
    parameters_path = Path(parameters_path)
    data = read_registry_file(parameters_path)
    descriptions = {}
    if descriptions_path is None:
        candidate = parameters_path.with_name("_parameters-descriptions.yml")
        descriptions_path = candidate if candidate.exists() else None
    if descriptions_path:
        descriptions_path = Path(descriptions_path)
        try:
            text = descriptions_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RegistryError(f"{descriptions_path.name}: could not be read: {exc}") from None
        descriptions = parse_descriptions_text(text, descriptions_path.name)

    return apply_registry(data, descriptions)


def read_registry_file(parameters_path: Path) -> list:
    """The categories of a `_parameters.yml`, checked; RegistryError naming the file and line."""
    try:
        text = parameters_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{parameters_path.name}: could not be read: {exc}") from None
    return parse_registry_text(text, parameters_path.name)


def parse_registry_text(text: str, name: str = "_parameters.yml") -> list:
    """Categories of a `_parameters.yml` text, each with `ref` and `params` (each with `ref`).

    Raises RegistryError("<name>, line N: ...") for invalid YAML or a wrong shape."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        reason = f"invalid YAML: {problem} (column {mark.column + 1})" if mark else f"invalid YAML: {problem}"
        raise RegistryError(
            f"{name}{f', line {line}' if line else ''}: {reason}", file=name, line=line, reason=reason
        ) from None
    except yaml.YAMLError as exc:
        raise RegistryError(f"{name}: invalid YAML: {exc}; the registry was not changed") from None
    if not isinstance(data, list):
        raise RegistryError(f"{name}: expected a list of categories")
    for cat_pos, cat in enumerate(data, start=1):
        if not isinstance(cat, dict) or not cat.get("ref"):
            raise RegistryError(f"{name}: category {cat_pos} has no ref")
        params = cat.get("params") or []
        if not isinstance(params, list):
            raise RegistryError(f"{name}: category {cat['ref']}: params must be a list")
        for pos, param in enumerate(params, start=1):
            if not isinstance(param, dict) or not param.get("ref"):
                raise RegistryError(f"{name}: category {cat['ref']}: dimension {pos} has no ref")
            types = param.get("types")
            if types is not None and not isinstance(types, (list, str)):
                raise RegistryError(f"{name}: dimension {param['ref']}: types must be a list")
    return data


def parse_descriptions_text(text: str, name: str = "_parameters-descriptions.yml") -> dict[str, str]:
    """Dimension ref -> English description from a `_parameters-descriptions.yml` text."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}" if mark else ""
        raise RegistryError(f"{name}{where}: invalid YAML: {exc.problem}") from None
    if not isinstance(raw, dict):
        raise RegistryError(f"{name}: expected a mapping of dimension refs to descriptions")
    return {str(k): (v or {}).get("en", "") if isinstance(v, dict) else str(v or "") for k, v in raw.items()}


def apply_registry(data: list, descriptions: dict | None = None) -> int:
    """Write checked registry data (see parse_registry_text) to the database; returns the number
    of active dimensions. Dimensions no longer listed become legacy, never deleted."""
    descriptions = descriptions or {}
    seen = set()
    for cat_pos, cat in enumerate(data):
        category, _ = DimensionCategory.objects.update_or_create(
            ref=cat["ref"], defaults={"name": cat.get("name") or cat["ref"].title(), "position": cat_pos}
        )
        for pos, param in enumerate(cat.get("params") or []):
            ref = param["ref"]
            seen.add(ref)
            defaults = {
                # As written, trailing spaces included: upstream's CSV header repeats it exactly.
                "name": str(param.get("name") or ref)[:120],
                "category": category,
                "position": pos,
                "applicable_types": _types_field(param.get("types")),
                "is_active": True,
            }
            description = param.get("description") or descriptions.get(ref)
            if description:
                defaults["description"] = description.strip()
            for grade in vocab.ASSESSED_GRADES:
                if param.get(grade):
                    defaults[f"criteria_{grade}"] = str(param[grade]).strip()
            Dimension.objects.update_or_create(ref=ref, defaults=defaults)
    Dimension.objects.exclude(ref__in=seen).update(is_active=False)
    return len(seen)


def ensure_legacy_dimension(ref: str) -> Dimension | None:
    """The legacy dimension `ref` (package, api), created inactive on first use; None if unknown."""
    existing = Dimension.objects.filter(ref=ref).first()
    if existing or ref not in LEGACY_DIMENSIONS:
        return existing
    name, category_ref, description = LEGACY_DIMENSIONS[ref]
    category = DimensionCategory.objects.filter(ref=category_ref).first() or DimensionCategory.objects.last()
    if category is None:  # no registry loaded at all: nothing to attach a legacy dimension to
        return None
    return Dimension.objects.create(
        ref=ref,
        name=name,
        category=category,
        position=99,
        description=description,
        applicable_types=",".join(vocab.ModelType.values),
        is_active=False,
    )


def active_dimensions() -> list[Dimension]:
    """The dimensions that count in scores, in registry order, with their categories (one query)."""
    return list(Dimension.objects.filter(is_active=True).select_related("category"))


def dimension_spec(dimension: Dimension) -> DimensionSpec:
    """A dimension row as the pure scoring functions want it (its category should be joined)."""
    return DimensionSpec(
        ref=dimension.ref,
        category=dimension.category.ref,
        types=frozenset(dimension.applicable_type_list),
        active=dimension.is_active,
    )


def scoring_dimensions() -> list[DimensionSpec]:
    """Every dimension as the pure scoring functions want it (one query)."""
    return [dimension_spec(d) for d in Dimension.objects.select_related("category")]


def registry_version_data() -> list[dict]:
    """The active dimensions in registry order, as a RegistryVersion keeps them."""
    return [
        {
            "ref": d.ref,
            "name": d.name,
            "category": d.category.ref,
            "category_name": d.category.name,
            "types": d.applicable_type_list,
        }
        for d in active_dimensions()
    ]


def record_registry_version(valid_from: datetime.datetime, source: str = "") -> RegistryVersion:
    """Keep the registry as it now stands, in force from `valid_from` (history is never rewritten)."""
    return RegistryVersion.objects.create(
        valid_from=valid_from, source=source[:300], dimensions=registry_version_data()
    )


def registry_version_on(moment: datetime.datetime) -> RegistryVersion | None:
    """The registry version in force at `moment` (None before the first one kept)."""
    return RegistryVersion.objects.filter(valid_from__lt=moment).order_by("-valid_from", "-id").first()
