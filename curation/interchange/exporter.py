"""Writing the index back in the upstream YAML format, one file per model.

The layout is upstream's: the standard header, the organisation's comment tags, `system:`,
`org:` and one block per dimension grouped under `# <category>:` comments. Where the importer
kept an original spelling (a key, a raw value, a comment, a key the site does not model), it is
written back as long as it still means what the database holds now; otherwise the current
normalised value is written. So importing an export changes nothing, and an exported file
parses to the same data as the file it came from.
"""

from __future__ import annotations

import datetime
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import yaml

from curation import vocab
from curation.models import AIModel, Dimension, DimensionCategory

from .upstream import (
    HF_REPOS_KEY,
    ORG_KEYS,
    STANDARD_HEADER,
    SYSTEM_KEYS,
    TAG_CONTRIBUTOR,
    TAG_ORIGIN,
    TAGS_HEADING,
    SourceText,
    canonical_grade,
    canonical_hf_repos,
    canonical_links,
    canonical_system_value,
    canonical_text,
)

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper

INDENT = "    "
EXPORT_CHUNK = 500


def export_index(outdir, *, include_drafts: bool = False) -> int:
    """Write every public model (with drafts if asked) and the registry to `outdir`; returns the file count."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    count = 0
    for filename, text in iter_export(include_drafts=include_drafts):
        (outdir / filename).write_text(text, encoding="utf-8")
        count += 1
    return count


def write_export_zip(fileobj) -> int:
    """The public index as a zip of upstream files (for readers' `/export.zip`); returns the file count."""
    count = 0
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for filename, text in iter_export(include_drafts=False):
            archive.writestr(filename, text)
            count += 1
    return count


def iter_export(*, include_drafts: bool = False) -> Iterator[tuple[str, str]]:
    """(file name, text) of the registry files, then of every model, streamed in chunks."""
    dimensions = list(Dimension.objects.select_related("category"))
    yield "_parameters.yml", registry_yaml(dimensions)
    yield "_parameters-descriptions.yml", descriptions_yaml(dimensions)
    queryset = AIModel.objects.all() if include_drafts else AIModel.objects.public()
    queryset = (
        queryset.select_related("organisation").prefetch_related("assessments").order_by("upstream_filename", "name")
    )
    used: set[str] = {"_parameters.yml", "_parameters-descriptions.yml"}
    for model in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield _filename(model, used), model_yaml(model, dimensions)


def _filename(model: AIModel, used: set[str]) -> str:
    name = model.upstream_filename or f"{model.slug}.yaml"
    stem, _dot, suffix = name.rpartition(".")
    candidate, n = name, 2
    while candidate.lower() in used:
        candidate, n = f"{stem}-{n}.{suffix}", n + 1
    used.add(candidate.lower())
    return candidate


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------


def registry_yaml(dimensions: list[Dimension]) -> str:
    lines = []
    for category in DimensionCategory.objects.order_by("position", "ref"):
        active = [d for d in dimensions if d.category_id == category.pk and d.is_active]
        if not active:
            continue
        lines += [f"- name: {scalar(category.name)}", f"  ref: {category.ref}", "  params:"]
        for d in sorted(active, key=lambda d: (d.position, d.ref)):
            types = ", ".join(f"'{t}'" for t in d.applicable_type_list)
            lines += [f"    - ref: {d.ref}", f"      name: {scalar(d.name)}", f"      types: [{types}]"]
    return "\n".join(lines) + "\n"


def descriptions_yaml(dimensions: list[Dimension]) -> str:
    lines = []
    for d in dimensions:
        if d.is_active and d.description:
            lines += [f"{d.ref}:", f"  en: {scalar(d.description)}"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# One model
# ---------------------------------------------------------------------------------------------


def scalar(value) -> str:
    """A YAML value for `key: value` on one line (empty for None); lists in flow style."""
    value = _from_json(value)
    if value is None:
        return ""
    if isinstance(value, SourceText):
        return str(value)  # written unquoted, exactly as the source had it
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return json.dumps(value, ensure_ascii=False)
    style = '"' if isinstance(value, str) and ("\n" in value or "\r" in value) else None
    text = yaml.dump(
        value, Dumper=_Dumper, default_flow_style=True, default_style=style, width=10**9, allow_unicode=True
    )
    text = text.rstrip("\n")
    if text.endswith("\n..."):
        text = text[:-4]
    return text


def _from_json(value):
    """Undo the importer's JSON-safe encoding of YAML dates."""
    if isinstance(value, dict):
        if set(value) == {"__yaml_plain__"}:
            return SourceText(value["__yaml_plain__"])
        if set(value) == {"__yaml_date__"}:
            text = value["__yaml_date__"]
            return datetime.datetime.fromisoformat(text) if "T" in text else datetime.date.fromisoformat(text)
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _block_lines(key: str, value, indent: str = "") -> list[str]:
    """`key: value`; mappings (unknown keys kept verbatim) nested in block style."""
    value = _from_json(value)
    if isinstance(value, dict) and value:
        lines = [f"{indent}{key}:"]
        for sub_key, sub_value in value.items():
            lines += _block_lines(str(sub_key), sub_value, indent + INDENT)
        return lines
    text = scalar(value)
    return [f"{indent}{key}: {text}" if text else f"{indent}{key}:"]


class _Writer:
    def __init__(self, model: AIModel):
        self.extra = model.upstream_extra or {}
        self.raw = self.extra.get("raw", {})
        self.absent = set(self.extra.get("absent", []))
        self.keys = self.extra.get("keys", {})

    def value(self, path: str, current):
        """The raw value kept at import while it still means the current one, else the current."""
        kept = self.raw.get(path)
        if kept is not None and kept.get("means") == current:
            return kept["value"]
        return current

    def field(self, path: str, key: str, current, indent: str = INDENT) -> list[str]:
        if path in self.absent and current is None:
            return []
        return _block_lines(self.keys.get(path, key), self.value(path, current), indent)


def tag_lines(model: AIModel) -> list[str]:
    """The `# Organization tags:` comment block of a model's file (empty if nothing is known).

    The tags are the model's effective classification (its own, else its organisation's). Each
    is written in the file's own words while they still mean that (or while they are words the
    vocabulary does not know and nobody has classified the model apart since); a tag the file did
    not have stays absent while the model inherits. Otherwise the vocabulary's label is written.
    """
    effective = model.classification()
    from_file = bool(model.upstream_filename)
    origin = None
    scope, country = effective.origin_scope, effective.country
    if model.origin_tag:
        parsed = vocab.parse_national_origin(model.origin_tag)
        if parsed is None and not effective.own_origin:
            origin = model.origin_tag  # still unmapped: keep the words upstream used
        elif parsed is not None and (parsed.scope, parsed.country) == (scope, country):
            origin = model.origin_tag
    if (
        origin is None
        and scope not in (None, vocab.OriginScope.UNKNOWN)
        and (effective.own_origin or not from_file or model.origin_tag)
    ):
        origin = vocab.origin_label(scope, country)

    contributor = None
    current = (effective.sector, effective.contributor_kind, effective.big_tech_bloc)
    if model.contributor_tag:
        parsed_origin = vocab.parse_national_origin(origin or "")
        parsed = vocab.parse_contributor_type(model.contributor_tag, parsed_origin)
        if (parsed is None and not effective.own_contributor) or (
            parsed is not None and (parsed.sector, parsed.kind, parsed.bloc) == current
        ):
            contributor = model.contributor_tag
    if (
        contributor is None
        and effective.sector
        and (effective.own_contributor or not from_file or model.contributor_tag)
    ):
        contributor = vocab.contributor_label(*current)
    lines = []
    if origin:
        lines.append(f"# - {TAG_ORIGIN}: {origin}")
    if contributor:
        lines.append(f"# - {TAG_CONTRIBUTOR}: {contributor}")
    return [f"# {TAGS_HEADING}", *lines] if lines else []


def model_yaml(model: AIModel, dimensions: list[Dimension]) -> str:
    writer = _Writer(model)
    extra = writer.extra
    out = ["---", STANDARD_HEADER.rstrip("\n"), ""]
    tags = tag_lines(model)
    if tags:
        out += [*tags, ""]
    if extra.get("header_comments"):
        out += [*extra["header_comments"], ""]

    system = {
        "name": model.name,
        "link": model.link,
        "types": model.type_list,
        "performance_class": model.performance_class,
        "base_model_name": model.base_model_name,
        "end_model_name": model.end_model_name,
        "end_model_licence": model.end_model_licence,
        "release_date": model.release_date,
        "release_date_precision": model.release_date_precision,
        "notes": model.notes,
    }
    out.append("system:")
    for key, attr in SYSTEM_KEYS:
        out += writer.field(f"system.{key}", key, canonical_system_value(attr, system))
    if model.hf_repos is not None:
        out += writer.field(f"system.{HF_REPOS_KEY}", HF_REPOS_KEY, canonical_hf_repos(model.hf_repos))
    for key, value in (extra.get("system_extra") or {}).items():
        out += _block_lines(key, value, INDENT)
    out.append("")

    out += _org_lines(model, writer)

    assessments = {a.dimension_id: a for a in model.assessments.all()}
    current_category = None
    for dimension in dimensions:
        assessment = assessments.get(dimension.pk)
        if assessment is None and not dimension.is_active:
            continue
        ref = dimension.ref
        grade = assessment.grade if assessment else vocab.Grade.NOT_ASSESSED
        links = list(assessment.links or []) if assessment else []
        notes = assessment.notes if assessment else ""
        empty = grade == vocab.Grade.NOT_ASSESSED and not links and not notes
        if empty and ref in writer.absent:
            continue
        if dimension.category.ref != current_category:
            current_category = dimension.category.ref
            out.append(f"# {current_category}:")
        key = writer.keys.get(ref, ref)
        if empty and ref in writer.raw and writer.raw[ref].get("value") is None:
            out += [f"{key}:", ""]
            continue
        out.append(f"{key}:")
        out += writer.field(f"{ref}.class", "class", canonical_grade(grade))
        out += writer.field(f"{ref}.link", "link", canonical_links(links))
        out += writer.field(f"{ref}.notes", "notes", canonical_text(notes))
        for sub_key, value in (extra.get("block_extra", {}).get(ref) or {}).items():
            out += _block_lines(str(sub_key), value, INDENT)
        out.append("")

    for key, value in (extra.get("extra_blocks") or {}).items():
        out += [*_block_lines(key, value), ""]
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _org_lines(model: AIModel, writer: _Writer) -> list[str]:
    organisation = model.organisation
    extra = writer.extra
    if organisation is None:
        if "org" in writer.absent:
            return []
        if "org_block" in extra:
            return [*_block_lines("org", extra["org_block"]), ""]
        return ["org:", *[f"{INDENT}{key}:" for key in ORG_KEYS], ""]
    current = {
        "name": organisation.name,
        "link": canonical_text(organisation.link),
        "notes": canonical_text(organisation.notes),
    }
    out = ["org:"]
    for key in ORG_KEYS:
        out += writer.field(f"org.{key}", key, current[key])
    for key, value in (extra.get("org_extra") or {}).items():
        out += _block_lines(key, value, INDENT)
    return [*out, ""]
