"""The upstream YAML format: reading one model file into plain values, with no database access.

One file holds one model: a `system:` block, an `org:` block, one block per openness dimension
(`class`, `link`, `notes`) and the organisation's classification as comment tags at the top
(`# - National origin: China`, `# - Contributor type: Non-academic (Chinese AI Tiger)`).

Parsing normalises every value to the site's vocabularies and keeps, in `extra`, whatever the
exporter needs to write the file back as it was: original spellings of keys and values (each
with the normalised value it meant at import time), keys the site does not model, keys that were
absent, and comment lines other than the tags. A file that cannot be read raises `FileProblem`
naming the line where there is one.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from curation import hfrepos, vocab, weblinks

from . import safe_input
from .safe_input import DEFAULT_LIMITS, FolderEntry, InputLimits, InputProblem

# Upstream's submission template sits among the model files; upstream's site skips it by name.
SUBMISSION_TEMPLATE = "a_submission_template.yaml"
MODEL_SUFFIX = ".yaml"

# (upstream key, AIModel attribute), in the order upstream writes them.
SYSTEM_KEYS = [
    ("name", "name"),
    ("link", "link"),
    ("type", "types"),
    ("performanceclass", "performance_class"),
    ("basemodelname", "base_model_name"),
    ("endmodelname", "end_model_name"),
    ("endmodellicense", "end_model_licence"),
    ("releasedate", "release_date"),
    ("notes", "notes"),
]
# The model's Hugging Face repositories where a curator set them (AIModel.hf_repos): an optional
# key of this site, after upstream's keys; readers that do not know it ignore it. Absent: the
# repositories are derived from the model's links.
HF_REPOS_KEY = "huggingface"
ORG_KEYS = ["name", "link", "notes"]
BLOCK_KEYS = ["class", "link", "notes"]
TAG_ORIGIN = "National origin"
TAG_CONTRIBUTOR = "Contributor type"
TAGS_HEADING = "Organization tags:"

# Comment lines every upstream file starts with; the exporter writes them itself.
STANDARD_HEADER = """\
# Thank you for contributing!
# In filling out this yaml file, please follow the criteria as described here:
# https://osai-index.eu/contribute

# You're free to build on this work and reuse the data. It is licensed under CC-BY 4.0, with the
# stipulation that attribution should come in the form of a link to https://osai-index.eu/
# and a citation to the peer-reviewed paper in which the dataset & criteria were published:

# Liesenfeld, A. and Dingemanse, M., 2024. Rethinking open source generative AI: open-washing and the EU AI Act. In Proceedings of the 2024 ACM Conference on Fairness, Accountability, and Transparency (pp. 1774-1787).
"""
_STANDARD_HEADER_LINES = {line.strip() for line in STANDARD_HEADER.splitlines() if line.strip()}

_TAG_RE = re.compile(r"^#\s*-?\s*(national\s*origin|contributor\s*type)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        datetime.date(2000, number, 1).strftime("%B").lower(),
        datetime.date(2000, number, 1).strftime("%b").lower(),
    )
}


class FileProblem(InputProblem):
    """A file that cannot be imported: its name, the line (or None) and the reason."""

    @property
    def filename(self) -> str:
        return self.name

    @classmethod
    def of(cls, problem: InputProblem) -> FileProblem:
        return problem if isinstance(problem, cls) else cls(problem.name, problem.line, problem.reason)


@dataclass
class ParsedAssessment:
    grade: str
    links: list[str]
    notes: str


@dataclass
class ParsedFile:
    """One model file, normalised. `system` maps AIModel attributes to values."""

    filename: str
    system: dict[str, Any]
    org: dict[str, Any] | None  # {"name", "link", "notes"} when the file names an organisation
    origin_tag: str | None  # raw tag values; None when the file has no such tag
    contributor_tag: str | None
    tag_lines: dict[str, int]
    assessments: dict[str, ParsedAssessment]  # by dimension ref
    extra: dict[str, Any]
    warnings: list[tuple[int | None, str]] = field(default_factory=list)
    text: str = ""
    # Values kept as written that a curator should look at: (field, raw value, line, message),
    # `field` as curation.review.fields names it (`name`, `types`, `assessment:<ref>`...).
    questions: list[tuple[str, str, int | None, str]] = field(default_factory=list)

    def line_of(self, *path: str) -> int | None:
        return find_line(self.text, *path)


# ---------------------------------------------------------------------------------------------
# Canonical values: what the exporter writes for a normalised value. Import keeps the raw value
# only when it differs from this, so a plain file costs nothing extra.
# ---------------------------------------------------------------------------------------------


def canonical_text(value: str | None):
    return value if value else None


def canonical_types(types: list[str]):
    return ",".join(types) if types else None


def canonical_release(date: datetime.date | None, precision: str):
    return vocab.release_label(date, precision) or None


def canonical_links(links: list[str]):
    if not links:
        return None
    return links[0] if len(links) == 1 else list(links)


def canonical_hf_repos(repos: list[str] | None):
    """One repository as text, several as a list, none as `[]`; None when derived (no key)."""
    if repos is None:
        return None
    return repos[0] if len(repos) == 1 else list(repos)


def canonical_grade(grade: str):
    return None if grade == vocab.Grade.NOT_ASSESSED else grade


def canonical_system_value(attr: str, system: dict[str, Any]):
    if attr == "types":
        return canonical_types(system["types"])
    if attr == "release_date":
        return canonical_release(system["release_date"], system["release_date_precision"])
    return canonical_text(system[attr])


def normalise_whitespace(value):
    """Strings stripped (recursively): upstream files differ in trailing spaces only by accident."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [normalise_whitespace(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise_whitespace(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def find_line(text: str, top_key: str, sub_key: str | None = None) -> int | None:
    """1-based line of `top_key:` (at column 0) or of `sub_key:` inside that block."""
    top = re.compile(rf"^{re.escape(top_key)}\s*:", re.IGNORECASE)
    sub = re.compile(rf"^\s+{re.escape(sub_key)}\s*:", re.IGNORECASE) if sub_key else None
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not inside:
            if top.match(line):
                if sub is None:
                    return number
                inside = True
            continue
        if line and not line[0].isspace() and not line.startswith("#"):
            return None
        if sub.match(line):
            return number
    return None


def decode(filename: str, raw: bytes) -> str:
    if not raw.strip():
        raise FileProblem(filename, None, "empty file")
    try:
        return safe_input.read_text(filename, raw)
    except InputProblem as problem:
        raise FileProblem.of(problem) from None


class SourceText(str):
    """A plain scalar that YAML would have read as a number, date or boolean (`2023.10`, `3.10`,
    `ON`), kept as the text written. The exporter writes it back unquoted, as it was."""

    __slots__ = ()


_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"


def _source_value(node):
    """Values of a composed node with every scalar as its source text: YAML's null stays None,
    everything else is text (a `SourceText` where YAML would have typed it)."""
    if isinstance(node, MappingNode):
        return {
            str(key.value) if isinstance(key, ScalarNode) else str(key): _source_value(value)
            for key, value in node.value
        }
    if isinstance(node, SequenceNode):
        return [_source_value(item) for item in node.value]
    if node.tag == _NULL_TAG:
        return None
    if node.tag == _STR_TAG:
        return node.value
    return SourceText(node.value)


def load_yaml(filename: str, text: str, limits: InputLimits = DEFAULT_LIMITS):
    """The file's YAML as plain values, every scalar read from its source text (see SourceText):
    nothing is silently turned into a number, a date or a boolean."""
    try:
        node = safe_input.compose(text, filename, limits)
    except InputProblem as problem:
        raise FileProblem.of(problem) from None
    return None if node is None else _source_value(node)


def _key(text) -> str:
    """Key spellings met upstream: `endmodel license`, `End_Model_License` -> `endmodellicense`."""
    return re.sub(r"[\s_\-]+", "", str(text)).lower()


def _text(filename: str, text: str, path: tuple[str, ...], value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        what = "a list" if isinstance(value, list) else "a mapping"
        raise FileProblem(filename, find_line(text, *path), f"{'.'.join(path)}: expected text, found {what}")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _links(filename: str, text: str, path: tuple[str, ...], value, warnings: list | None = None) -> list[str]:
    """The http(s) links of a `link:` value (one URL or a list).

    Readers follow these links, so anything but an http(s) URL (`javascript:`, `data:`, a `\\` in
    the host...) is refused and reported with the file and line (`curation.weblinks`, the one
    check); the rest of the file imports.
    A bare host name as upstream sometimes writes it (`tilde.ai`) is read as its https URL, with
    a warning; the exporter writes the original spelling back.
    """
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    links = []
    for item in items:
        if isinstance(item, (dict, list)):
            raise FileProblem(filename, find_line(text, *path), f"{'.'.join(path)}: expected a URL or a list of URLs")
        if item is None or not str(item).strip():
            continue
        link = str(item).strip()
        if not weblinks.is_http_url(link):
            if weblinks.is_bare_host(link):
                if warnings is not None:
                    warnings.append(
                        (find_line(text, *path), f"{'.'.join(path)}: {link!r} has no scheme; read as https://{link}")
                    )
                link = f"https://{link}"
            else:
                # Refused, not stored: the rest of the file imports; the exporter writes it back as written.
                if warnings is not None:
                    warnings.append(
                        (
                            find_line(text, *path),
                            f"{'.'.join(path)}: {link!r} is not an http(s) URL; refused, not stored as a link",
                        )
                    )
                continue
        links.append(link)
    return links


def parse_release(value) -> tuple[datetime.date | None, str] | None:
    """Release date at month precision (or year); (None, "") for empty; None if unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1), vocab.DatePrecision.MONTH.value
    if isinstance(value, int) and 1900 < value < 2200:
        return datetime.date(value, 1, 1), vocab.DatePrecision.YEAR.value
    text = str(value).strip().lower()
    patterns = [
        (r"^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?$", lambda m: (int(m[1]), int(m[2]))),
        (r"^(\d{1,2})[-/.](\d{4})$", lambda m: (int(m[2]), int(m[1]))),
        (r"^([a-z]+)\.?,?\s+(\d{4})$", lambda m: (int(m[2]), _MONTHS.get(m[1]))),
        (r"^(\d{4})$", lambda m: (int(m[1]), None)),
    ]
    for pattern, extract in patterns:
        match = re.match(pattern, text)
        if not match:
            continue
        year, month = extract(match)
        if month is None:
            if pattern == r"^(\d{4})$":
                return datetime.date(year, 1, 1), vocab.DatePrecision.YEAR.value
            return None
        if 1 <= month <= 12 and 1900 < year < 2200:
            return datetime.date(year, month, 1), vocab.DatePrecision.MONTH.value
        return None
    return None


def _remember(extra: dict, path: str, raw, canonical) -> None:
    """Keep a raw value that the exporter would not reproduce, with what it meant."""
    if isinstance(raw, SourceText) or normalise_whitespace(raw) != canonical:
        extra.setdefault("raw", {})[path] = {"value": raw, "means": canonical}


def _header_comments(text: str) -> tuple[dict[str, tuple[str, int]], list[str]]:
    """Tags (kind -> (raw value, line)) and the other header comment lines to keep."""
    tags: dict[str, tuple[str, int]] = {}
    kept: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped in ("---", ""):
            if kept and kept[-1] != "":
                kept.append("")
            continue
        if not stripped.startswith("#"):
            break
        match = _TAG_RE.match(stripped)
        if match:
            kind = TAG_ORIGIN if "origin" in match.group(1).lower() else TAG_CONTRIBUTOR
            tags.setdefault(kind, (match.group(2), number))
            continue
        if stripped in _STANDARD_HEADER_LINES or stripped.lstrip("# ").strip() == TAGS_HEADING:
            continue
        kept.append(stripped)
    while kept and kept[-1] == "":
        kept.pop()
    while kept and kept[0] == "":
        kept.pop(0)
    return tags, kept


# Parts of parse_file. Each reads its blocks of `top` ({lowered key: (key as written, value)}),
# adds what it cannot map to `extra` (kept for an exact export), notes to `warnings` ((line,
# message)) and questions for curators to `questions`, and raises FileProblem on malformed input.


def _parse_system(
    filename: str,
    text: str,
    top: dict,
    extra: dict[str, Any],
    warnings: list[tuple[int | None, str]],
    questions: list[tuple[str, str, int | None, str]],
) -> dict[str, Any]:
    """The `system:` block as the model's attributes (name, types, dates, links, Hugging Face ids)."""
    if "system" not in top:
        raise FileProblem(filename, None, "no `system:` block")
    system_key, system_raw = top["system"]
    if not isinstance(system_raw, dict):
        found = "a list" if isinstance(system_raw, list) else "no mapping"
        raise FileProblem(filename, find_line(text, str(system_key)), f"system: expected a mapping, found {found}")
    by_key = {}
    for key, value in system_raw.items():
        by_key.setdefault(_key(key), (str(key), value))
    system: dict[str, Any] = {}
    by_name_raw = by_key.get("name", (None, None))[1]
    for upstream_key, attr in SYSTEM_KEYS:
        spelled, value = by_key.pop(upstream_key, (None, None))
        if spelled is None:
            extra.setdefault("absent", []).append(f"system.{upstream_key}")
        elif spelled != upstream_key:
            extra.setdefault("keys", {})[f"system.{upstream_key}"] = spelled
        path = ("system", spelled or upstream_key)
        if attr == "types":
            if isinstance(value, dict):
                raise FileProblem(filename, find_line(text, *path), "system.type: expected text, found a mapping")
            written = value if not isinstance(value, list) else ",".join("" if v is None else str(v) for v in value)
            known, unknown = split_model_types(written)
            system["types"] = known
            if unknown:
                message = (
                    f"system.type: {', '.join(map(repr, unknown))} is not a model type "
                    f"(known: {', '.join(vocab.ModelType.values)}); kept as written, no dimension applies for it"
                )
                warnings.append((find_line(text, *path), message))
                questions.append(("types", str(written), find_line(text, *path), message))
        elif attr == "performance_class":
            parsed = vocab.parse_performance_class(value if not isinstance(value, (dict, list)) else None)
            if parsed is None or isinstance(value, (dict, list)):
                message = (
                    f"system.performanceclass: {value!r} is not a performance class "
                    f"(known: {', '.join(vocab.PerformanceClass.values)}, or empty); kept as written"
                )
                warnings.append((find_line(text, *path), message))
                questions.append(("performance_class", str(value), find_line(text, *path), message))
                parsed = ""
            system["performance_class"] = parsed
        elif attr == "release_date":
            parsed = parse_release(value)
            if parsed is None:
                warnings.append(
                    (find_line(text, *path), f"system.releasedate: {value!r} is not a date; kept as written")
                )
                parsed = (None, "")
            system["release_date"], system["release_date_precision"] = parsed
        elif attr == "link":
            links = _links(filename, text, path, value, warnings)
            system["link"] = links[0] if links else ""
        else:
            system[attr] = _text(filename, text, path, value)
        if spelled is not None:
            _remember(extra, f"system.{upstream_key}", value, canonical_system_value(attr, system))
    system["hf_repos"] = None
    if HF_REPOS_KEY in by_key:
        spelled, value = by_key.pop(HF_REPOS_KEY)
        if spelled != HF_REPOS_KEY:
            extra.setdefault("keys", {})[f"system.{HF_REPOS_KEY}"] = spelled
        if isinstance(value, dict):
            raise FileProblem(
                filename,
                find_line(text, str(system_key), spelled),
                f"system.{HF_REPOS_KEY}: expected a repository id or a list of them, found a mapping",
            )
        try:
            system["hf_repos"] = hfrepos.clean_repo_ids(
                [str(v) for v in value if v is not None]
                if isinstance(value, list)
                else ([] if value is None else [str(value)])
            )
        except ValueError as exc:
            raise FileProblem(
                filename, find_line(text, str(system_key), spelled), f"system.{HF_REPOS_KEY}: {exc}"
            ) from None
        _remember(extra, f"system.{HF_REPOS_KEY}", value, canonical_hf_repos(system["hf_repos"]))
    if by_key:
        extra["system_extra"] = dict(by_key.values())
    if not system["name"]:
        # Upstream shows such a model under its file name; so do we, and ask a curator.
        system["name"] = file_stem(filename)
        line = find_line(text, str(system_key), "name")
        message = f"system.name is empty: shown under the file name {system['name']!r}, marked for review"
        warnings.append((line, message))
        questions.append(("name", "", line, message))
        if "system.name" not in extra.get("absent", []):
            extra.setdefault("raw", {})["system.name"] = {"value": by_name_raw, "means": system["name"]}
    if len(system["name"]) > 200:
        raise FileProblem(
            filename, find_line(text, str(system_key), "name"), "system.name is longer than 200 characters"
        )
    return system


def _parse_org(
    filename: str, text: str, top: dict, extra: dict[str, Any], warnings: list[tuple[int | None, str]]
) -> dict[str, Any] | None:
    """The `org:` block: {name, link, notes, raw}, or None when it is absent, empty or unnamed."""
    org = None
    if "org" not in top:
        extra.setdefault("absent", []).append("org")
    else:
        org_key, org_raw = top["org"]
        if org_raw is None:
            extra["org_block"] = None
        elif not isinstance(org_raw, dict):
            found = "a list" if isinstance(org_raw, list) else repr(org_raw)
            raise FileProblem(
                filename,
                find_line(text, str(org_key)),
                f"org: expected a mapping with name, link and notes, found {found}",
            )
        else:
            fields = {}
            org_by_key = {}
            for key, value in org_raw.items():
                org_by_key.setdefault(_key(key), (str(key), value))
            for upstream_key in ORG_KEYS:
                spelled, value = org_by_key.pop(upstream_key, (None, None))
                if spelled is None:
                    extra.setdefault("absent", []).append(f"org.{upstream_key}")
                elif spelled != upstream_key:
                    extra.setdefault("keys", {})[f"org.{upstream_key}"] = spelled
                fields[upstream_key] = value
            if org_by_key:
                extra["org_extra"] = dict(org_by_key.values())
            name = _text(filename, text, ("org", "name"), fields["name"])
            if name:
                org = {
                    "name": name,
                    "link": (_links(filename, text, ("org", "link"), fields["link"], warnings) or [""])[0],
                    "notes": _text(filename, text, ("org", "notes"), fields["notes"]),
                    "raw": {k: fields[k] for k in ORG_KEYS},
                }
            else:
                extra["org_block"] = dict(org_raw.items())
    return org


def _parse_dimension_blocks(
    filename: str,
    text: str,
    top: dict,
    dimension_refs: set[str],
    extra: dict[str, Any],
    warnings: list[tuple[int | None, str]],
    questions: list[tuple[str, str, int | None, str]],
) -> dict[str, ParsedAssessment]:
    """{dimension ref: its grade, links and notes} for each block naming a known dimension."""
    assessments: dict[str, ParsedAssessment] = {}
    for lowered, (key, value) in top.items():
        if lowered in ("system", "org"):
            continue
        if lowered not in dimension_refs:
            extra.setdefault("extra_blocks", {})[str(key)] = value
            warnings.append((find_line(text, str(key)), f"{key}: not a dimension of the registry; kept as written"))
            continue
        if str(key) != lowered:
            extra.setdefault("keys", {})[lowered] = str(key)
        if value is None:
            value = {}
            extra.setdefault("raw", {})[lowered] = {"value": None, "means": None}
        if not isinstance(value, dict):
            found = "a list" if isinstance(value, list) else f"{value!r}"
            raise FileProblem(
                filename,
                find_line(text, str(key)),
                f"{key}: expected a mapping with class, link and notes, found {found}",
            )
        block = dict(value)
        for sub in BLOCK_KEYS:
            if sub not in block:
                extra.setdefault("absent", []).append(f"{lowered}.{sub}")
        written_grade = block.pop("class", None)
        grade = vocab.parse_grade(written_grade if not isinstance(written_grade, (dict, list)) else [])
        if grade is None:
            # Kept verbatim (in `extra`, exported back unchanged), scored 0 as upstream does.
            grade = vocab.Grade.UNRECOGNISED
            line = find_line(text, str(key), "class")
            message = (
                f"{key}.class: {written_grade!r} is not a grade (open, partial, closed, or empty); "
                "kept as written, scored 0 as upstream does, marked for review"
            )
            warnings.append((line, message))
            questions.append((f"assessment:{lowered}", str(written_grade), line, message))
        links_raw = block.pop("link", None)
        links = _links(filename, text, (str(key), "link"), links_raw, warnings)
        notes = _text(filename, text, (str(key), "notes"), block.pop("notes", None))
        if block:
            extra.setdefault("block_extra", {})[lowered] = block
        _remember(extra, f"{lowered}.class", value.get("class"), canonical_grade(grade))
        _remember(extra, f"{lowered}.link", links_raw, canonical_links(links))
        _remember(extra, f"{lowered}.notes", value.get("notes"), canonical_text(notes))
        assessments[lowered] = ParsedAssessment(grade, links, notes)
    return assessments


def parse_file(filename: str, raw: bytes, dimension_refs: set[str], limits: InputLimits = DEFAULT_LIMITS) -> ParsedFile:
    """Read one upstream model file (`raw`: its bytes, UTF-8). `dimension_refs`: refs of known
    (active or legacy) dimensions. Returns the model's attributes, its organisation, its grades per
    dimension, the header's classification tags, and in `extra` whatever the site does not model,
    so the export writes the file back unchanged. Raises FileProblem (file, line, reason) for a
    file that cannot be read as a model: bad encoding or YAML, over `limits`, no `system:` block,
    a block of the wrong shape."""
    text = decode(filename, raw)
    data = load_yaml(filename, text, limits)
    if data is None:
        raise FileProblem(filename, None, "empty file (no YAML content)")
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        raise FileProblem(filename, 1, f"expected a mapping with `system:`, `org:` and dimension blocks, found {found}")

    extra: dict[str, Any] = {}
    warnings: list[tuple[int | None, str]] = []
    questions: list[tuple[str, str, int | None, str]] = []
    top = {}
    for key, value in data.items():
        top.setdefault(str(key).strip().lower(), (key, value))

    system = _parse_system(filename, text, top, extra, warnings, questions)
    org = _parse_org(filename, text, top, extra, warnings)
    assessments = _parse_dimension_blocks(filename, text, top, dimension_refs, extra, warnings, questions)

    # --- comments ---------------------------------------------------------------------------
    tags, kept_comments = _header_comments(text)
    if kept_comments:
        extra["header_comments"] = kept_comments
    return ParsedFile(
        filename=filename,
        system=system,
        org=org,
        origin_tag=tags[TAG_ORIGIN][0] if TAG_ORIGIN in tags else None,
        contributor_tag=tags[TAG_CONTRIBUTOR][0] if TAG_CONTRIBUTOR in tags else None,
        tag_lines={kind: line for kind, (_, line) in tags.items()},
        assessments=assessments,
        extra=extra,
        warnings=warnings,
        text=text,
        questions=questions,
    )


def is_model_file(name: str) -> bool:
    """Whether upstream counts a file of its folder as a model: every `*.yaml` except the
    submission template (`_parameters.yml` and other `.yml` files are not models)."""
    return name.endswith(MODEL_SUFFIX) and "/" not in name and name != SUBMISSION_TEMPLATE


def file_stem(filename: str) -> str:
    """The file name without `.yaml`, as upstream names a model whose `system.name` is empty."""
    return filename[: -len(MODEL_SUFFIX)] if filename.endswith(MODEL_SUFFIX) else filename


def split_model_types(value) -> tuple[list[str], list[str]]:
    """Upstream's reading of `system.type`: split at commas, each part trimmed, compared exactly.
    Returns the known model types (vocabulary order) and the other non-empty parts as written."""
    parts = [part.strip() for part in str(value if value is not None else "").split(",")]
    known = [t for t in vocab.ModelType.values if t in parts]
    unknown = [p for p in parts if p and p not in vocab.ModelType.values]
    return known, unknown


def model_files(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> list[FolderEntry | InputProblem]:
    """The model files of an upstream folder (or the one file given), in a stable order, with the
    entries refused by the safe folder walk as problems (names only: files are read later)."""
    path = Path(path)
    if path.is_file():
        return [FolderEntry(path.name, path)]
    return [
        entry
        for entry in safe_input.walk_folder(path, suffixes=(MODEL_SUFFIX,), limits=limits)
        if isinstance(entry, InputProblem) or is_model_file(entry.name)
    ]
