"""Loading and reading the dimension registry (the single source of truth for dimensions).

The registry is data in the database, loaded from a `_parameters.yml`-shaped file. Code that
needs dimensions asks `scoring_dimensions()` or the Dimension model; nothing lists them by hand.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from curation import vocab
from curation.models import Dimension, DimensionCategory
from curation.scoring import DimensionSpec

DEFAULT_REGISTRY = Path(__file__).resolve().parent / "registry_data" / "parameters.yml"
# Dimensions the current upstream registry dropped; still accepted on import.
LEGACY_DIMENSIONS = {
    "package": ("Package", "access", "Is the system released as a package through a standard repository?"),
    "api": ("API", "access", "Is an API available, and is it documented?"),
}


class RegistryError(ValueError):
    pass


def _types_field(types) -> str:
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
    try:
        data = yaml.safe_load(parameters_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"{parameters_path.name}: {exc}") from exc
    if not isinstance(data, list):
        raise RegistryError(f"{parameters_path.name}: expected a list of categories")
    descriptions = {}
    if descriptions_path is None:
        candidate = parameters_path.with_name("_parameters-descriptions.yml")
        descriptions_path = candidate if candidate.exists() else None
    if descriptions_path:
        raw = yaml.safe_load(Path(descriptions_path).read_text(encoding="utf-8")) or {}
        descriptions = {k: (v or {}).get("en", "") if isinstance(v, dict) else str(v or "") for k, v in raw.items()}

    seen = set()
    for cat_pos, cat in enumerate(data):
        if not isinstance(cat, dict) or "ref" not in cat:
            raise RegistryError(f"{parameters_path.name}: category {cat_pos + 1} has no ref")
        category, _ = DimensionCategory.objects.update_or_create(
            ref=cat["ref"], defaults={"name": cat.get("name") or cat["ref"].title(), "position": cat_pos}
        )
        for pos, param in enumerate(cat.get("params") or []):
            ref = param["ref"]
            seen.add(ref)
            defaults = {
                "name": (param.get("name") or ref).strip(),
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
    return Dimension.objects.create(
        ref=ref, name=name, category=category, position=99, description=description,
        applicable_types=",".join(vocab.ModelType.values), is_active=False,
    )


def active_dimensions() -> list[Dimension]:
    """The dimensions that count in scores, in registry order, with their categories (one query)."""
    return list(Dimension.objects.filter(is_active=True).select_related("category"))


def dimension_spec(dimension: Dimension) -> DimensionSpec:
    """A dimension row as the pure scoring functions want it (its category should be joined)."""
    return DimensionSpec(
        ref=dimension.ref, category=dimension.category.ref,
        types=frozenset(dimension.applicable_type_list), active=dimension.is_active,
    )


def scoring_dimensions() -> list[DimensionSpec]:
    """Every dimension as the pure scoring functions want it (one query)."""
    return [dimension_spec(d) for d in Dimension.objects.select_related("category")]
