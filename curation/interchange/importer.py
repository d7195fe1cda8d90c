"""Importing an upstream folder of model YAML files into the index.

`import_index` reads the files one at a time (memory stays flat however many there are), maps
each to an AIModel with its assessments and organisation, and writes only what differs from the
database, so a second run changes nothing. A bad file is reported with its name and line and
skipped (its writes roll back to a savepoint); with `strict=True` the first bad file aborts the
whole import and nothing is written.

Classification tags (`# - National origin:`, `# - Contributor type:`) belong to the file: each
model keeps its file's tag text, and once every file is read the organisations of the run are
settled (see `usual_value`): an organisation's usual classification is what most of its files
say, and a model whose file says otherwise holds its own (curation.models.classification).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.db import DatabaseError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from curation import vocab
from curation.assessments import recompute_scores
from curation.conf import app_settings
from curation.datachanges import record_data_change
from curation.models import (
    AIModel,
    Assessment,
    ChangeRequest,
    Dimension,
    HistoryEntry,
    ImportRun,
    Organisation,
)
from curation.registry import (
    LEGACY_DIMENSIONS,
    RegistryError,
    apply_registry,
    ensure_legacy_dimension,
    load_registry,
    parse_descriptions_text,
    parse_registry_text,
    record_registry_version,
    scoring_dimensions,
)
from curation.review.services import record_import_run

from .safe_input import FolderEntry, InputLimits, InputProblem
from .upstream import (
    TAG_CONTRIBUTOR,
    TAG_ORIGIN,
    FileProblem,
    ParsedFile,
    SourceText,
    canonical_text,
    model_files,
    normalise_whitespace,
    parse_file,
)

SCORE_BATCH = 1000
INSERT_BATCH = 250


class Skipped(NamedTuple):
    file: str
    line: int | None
    reason: str


class FieldChange(NamedTuple):
    """One changed field; names and values follow curation.review.fields where it has them."""

    target: Any  # the AIModel or Organisation
    field: str
    before: Any
    after: Any
    note: str = ""  # why, for readers (e.g. "its file was deleted upstream")


class ReviewQuestion(NamedTuple):
    """A value kept as written that a curator should look at (see ParsedFile.questions)."""

    target: Any  # the AIModel
    field: str
    raw_value: str
    reason: str


class Conflict(NamedTuple):
    """A field whose file differs from a value curators decided since the last import (approved in
    review or edited directly by a superuser): that value stays, and the upstream value becomes a
    change request for a reviewer."""

    target: Any  # the AIModel
    field: str
    live: Any  # the reviewed value, kept
    upstream: Any  # the file's value, proposed


CONFLICT_SOURCE = ChangeRequest.UPSTREAM_CONFLICT


class UnmappedTag(NamedTuple):
    organisation: Organisation | None
    kind: str  # "national_origin" or "contributor_type"
    raw_value: str
    ai_model: AIModel | None = None  # set when the question is about the model's own tag


@dataclass
class ImportReport:
    source: str = ""  # where the files were read (a path: for curators, never shown to readers)
    # What readers are told a change came from ("the upstream database", a commit's id and date).
    source_label: str = "the upstream database"
    # When the changes happened upstream (a commit's date); None: now.
    applied_at: Any = None
    created: list[str] = field(default_factory=list)  # file names
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)  # imported, but worth a look
    changes: list[FieldChange] = field(default_factory=list)
    unmapped_tags: list[UnmappedTag] = field(default_factory=list)
    review_questions: list[ReviewQuestion] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    organisations_created: list[Organisation] = field(default_factory=list)
    organisations_needing_review: list[Organisation] = field(default_factory=list)
    registry_changed: bool = False
    removed: list[str] = field(default_factory=list)  # files deleted upstream: their models withdrawn
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old file, new file), same model

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.registry_changed or self.organisations_created or self.removed)

    def summary(self) -> dict:
        """Plain figures and reasons, fit for JSON (the import run's record, the API)."""
        return {
            "source": self.source,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "skipped": [{"file": s.file, "line": s.line, "reason": s.reason} for s in self.skipped],
            "warnings": [{"file": s.file, "line": s.line, "reason": s.reason} for s in self.warnings],
            "changes": len(self.changes),
            "removed": list(self.removed),
            "conflicts": [
                {"model": c.target.name, "file": c.target.upstream_filename, "field": c.field} for c in self.conflicts
            ],
            "renamed": [list(pair) for pair in self.renamed],
            "unmapped_tags": [
                {
                    "organisation": t.organisation.name if t.organisation else None,
                    "model": t.ai_model.name if t.ai_model else None,
                    "kind": t.kind,
                    "raw": t.raw_value,
                }
                for t in self.unmapped_tags
            ],
            "organisations_needing_review": [o.name for o in self.organisations_needing_review],
        }


@dataclass
class Delta:
    """What changed upstream in one revision (a git commit), instead of a whole folder.

    `entries`: the added or changed model files (each with `.name` and `.read_bytes(limits)`);
    `deleted`: model files that went away; `renamed`: (old, new) pairs the source detected;
    `parameters` / `descriptions`: the registry files' texts when either changed, else None."""

    entries: list = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    parameters: str | None = None
    descriptions: str | None = None


class ImportAborted(Exception):
    """A strict import met a bad file; nothing was written."""

    def __init__(self, problem: FileProblem):
        super().__init__(f"import aborted, nothing written: {problem}")
        self.problem = problem


Progress = Callable[[int, int, str], None]


def input_limits() -> InputLimits:
    """The safe-input limits for imports; the file size limit is a setting."""
    return InputLimits(max_file_bytes=app_settings.OSAI_IMPORT_MAX_FILE_BYTES)


def import_index(
    path,
    *,
    strict: bool = False,
    user=None,
    progress: Progress | None = None,
    delta: Delta | None = None,
    source_label: str = "",
    applied_at=None,
) -> ImportReport:
    """Import an upstream folder (or one file); see the module docstring.

    With `delta`, `path` only names the source and the delta's files are imported instead (one
    revision of a git history, see curation.interchange.git_history); `source_label` then says
    where the changes come from (public) and `applied_at` when they happened upstream.
    `progress(done, total, filename)` is called after each file.
    """
    path = Path(path)
    if delta is None and not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    report = ImportReport(source=str(path), applied_at=applied_at)
    if source_label:
        report.source_label = source_label
    try:
        with transaction.atomic():
            _Run(path, report, strict=strict, progress=progress, delta=delta).run()
            if report.changed_anything:
                record_data_change(f"import {path.name}: {len(report.created)} created, {len(report.updated)} updated")
            _record_import_run(report, user=user, source=str(path))
    except FileProblem as problem:
        raise ImportAborted(problem) from None
    return report


def _record_import_run(report: ImportReport, *, user, source: str) -> None:
    """History entries for every change, and review proposals for unmapped tags."""
    record_import_run(report, user=user, source=source)


@dataclass
class _PendingModel:
    filename: str
    model: AIModel
    assessments: list[Assessment]
    journal: _Journal


@dataclass(frozen=True)
class _TagGroup:
    """One of the two classification tags, at both levels (organisation and model)."""

    field: str  # the review field at both levels, and the UnmappedTag kind
    tag: str  # the upstream tag name
    tag_attr: str  # where both levels keep the raw tag text
    read_org: Callable[[Organisation], dict]
    write_org: Callable[[Organisation, dict], None]
    read_own: Callable[[AIModel], dict | None]
    write_own: Callable[[AIModel, dict | None], None]


def _write_org_origin(org: Organisation, value: dict) -> None:
    org.origin_scope, org.country = value["scope"], value["country"]


def _write_org_contributor(org: Organisation, value: dict) -> None:
    org.sector, org.contributor_kind, org.big_tech_bloc = value["sector"], value["kind"], value["bloc"]


TAG_GROUPS = (
    _TagGroup(
        "national_origin",
        TAG_ORIGIN,
        "origin_tag",
        lambda o: _origin_value(o),
        _write_org_origin,
        lambda m: m.own_origin,
        AIModel.set_own_origin,
    ),
    _TagGroup(
        "contributor_type",
        TAG_CONTRIBUTOR,
        "contributor_tag",
        lambda o: _contributor_value(o),
        _write_org_contributor,
        lambda m: m.own_contributor,
        AIModel.set_own_contributor,
    ),
)
_OWN_FIELDS = [
    "own_origin_scope",
    "own_country",
    "own_region",
    "own_sector",
    "own_contributor_kind",
    "own_big_tech_bloc",
]


def usual_value(votes: list[tuple[str, dict, str]]) -> tuple[dict, str] | None:
    """An organisation's usual classification for one tag from its files' votes.

    `votes`: (file name, mapped value, raw tag text) for each file whose tag maps. The value most
    files give wins; a tie goes to the value of the file whose name sorts first (code-point
    order, as `sorted` gives it), so the result never depends on the order files were read in.
    Returned with its spelling: the raw text most of the winning files use (a tie again to the
    first file by name). None when no file gives a value.
    """
    if not votes:
        return None
    votes = sorted(votes, key=lambda vote: vote[0])
    tally: dict[tuple, list] = {}
    for _filename, value, raw in votes:
        tally.setdefault(_key(value), []).append(raw)
    # max() keeps the first of equal counts; dicts keep insertion order = file-name order.
    winner = max(tally, key=lambda k: len(tally[k]))
    spellings = tally[winner]
    raw = max(dict.fromkeys(spellings), key=spellings.count)
    return dict(winner), raw


def _key(value: dict) -> tuple:
    return tuple(sorted(value.items()))


class _Run:
    def __init__(
        self, path: Path, report: ImportReport, *, strict: bool, progress: Progress | None, delta: Delta | None = None
    ):
        self.path, self.report, self.strict, self.progress = path, report, strict, progress
        self.delta = delta

    # -- set-up ---------------------------------------------------------------------------

    def _load_registry(self) -> None:
        before = _registry_snapshot()
        try:
            if self.delta is not None:
                if self.delta.parameters is not None:
                    descriptions = parse_descriptions_text(self.delta.descriptions) if self.delta.descriptions else {}
                    apply_registry(parse_registry_text(self.delta.parameters), descriptions)
            else:
                folder = self.path if self.path.is_dir() else self.path.parent
                parameters = folder / "_parameters.yml"
                if parameters.exists():
                    load_registry(parameters)
            if not Dimension.objects.exists():
                load_registry()  # a fresh site importing files without one: the bundled registry
        except RegistryError as exc:
            problem = FileProblem(exc.file or "_parameters.yml", exc.line, exc.reason)
            if self.delta is None or self.strict or not Dimension.objects.exists():
                raise problem from None
            # Replaying history: a revision whose registry upstream could not read either keeps
            # the registry in force, and says so.
            self.report.skipped.append(
                Skipped(problem.filename, problem.line, problem.reason + "; the registry in force was kept")
            )
        self.report.registry_changed = before != _registry_snapshot()
        if self.report.registry_changed:
            record_registry_version(self.report.applied_at or timezone.now(), self.report.source_label)

    def run(self) -> None:
        self._load_registry()
        self.dimensions = {d.ref: d for d in Dimension.objects.select_related("category")}
        self.active_refs = sorted(ref for ref, d in self.dimensions.items() if d.is_active)
        self.known_refs = set(self.dimensions) | set(LEGACY_DIMENSIONS)

        self.orgs_by_key: dict[str, Organisation] = {}
        for org in Organisation.objects.all():
            self._index_org(org)
        self.org_slugs = set(Organisation.objects.values_list("slug", flat=True))
        self.model_slugs = set(AIModel.objects.values_list("slug", flat=True))
        # Identity is the upstream file; a model made on the site (no file yet) is matched by name.
        self.model_by_file: dict[str, int] = {}
        self.model_by_name: dict[str, int] = {}
        for pk, name, filename in AIModel.objects.values_list("pk", "name", "upstream_filename"):
            if filename:
                self.model_by_file[filename] = pk
            else:
                self.model_by_name.setdefault(name, pk)
        self.current_model: AIModel | None = None
        self._load_reviewed_fields()
        self.org_details_set: set[int] = set()
        # Classification to settle once every file is read: organisations whose files were in
        # this run (or lost a model to another organisation), and models whose tags changed.
        self.orgs_to_settle: set[int] = set()
        self.retagged: set[tuple[int, str]] = set()  # (model id, tag group field)
        self.new_models: set[int] = set()
        self.tag_line_numbers: dict[str, dict[str, int]] = {}  # file name -> tag -> line
        self.orgs_touched: dict[int, Organisation] = {}
        self.to_score: list[int] = []
        self.tag_cache: dict = {}
        self.pending: list[_PendingModel] = []

        self.limits = input_limits()
        self.renamed: dict[str, int] = {}
        self.created_pks: list[int] = []
        vanished: dict[str, int] = {}
        if self.delta is not None:
            files = list(self.delta.entries)
            vanished = {
                name: self.model_by_file[name] for name in self.delta.deleted if self.model_by_file.get(name, -1) > 0
            }
            for old, new in self.delta.renamed:
                if old in vanished and new not in self.model_by_file:
                    self.renamed[new] = vanished[old]
                    self.report.renamed.append((old, new))
        else:
            files = model_files(self.path, self.limits)
            if not files and self.path.is_dir():
                raise FileProblem(self.path.name, None, "holds no model files (*.yaml); nothing to import")
            if self.path.is_dir():  # a whole folder is a whole snapshot: files not in it were deleted
                listed = {entry.name for entry in files}
                vanished = {name: pk for name, pk in self.model_by_file.items() if name not in listed}
        unpaired = {name: pk for name, pk in vanished.items() if pk not in self.renamed.values()}
        if unpaired:
            self._pair_renamed_files([e for e in files if not isinstance(e, InputProblem)], unpaired)
        for done, entry in enumerate(files, start=1):
            if isinstance(entry, InputProblem):
                self._skip(FileProblem.of(entry))
            else:
                self._import_file(entry)
            if self.progress:
                self.progress(done, len(files), entry.name)
        self._flush_new()
        self._settle_classifications()
        if self.report.applied_at is not None and self.created_pks:
            # Replaying history: a model exists from the upstream change that added it.
            AIModel.objects.filter(pk__in=self.created_pks).update(created_at=self.report.applied_at)
        for filename, pk in vanished.items():
            if filename not in {old for old, _new in self.report.renamed}:
                self._withdraw(filename, pk)

        if self.report.registry_changed:
            self.to_score = list(AIModel.objects.values_list("pk", flat=True))
        specs = scoring_dimensions()
        for start in range(0, len(self.to_score), SCORE_BATCH):
            batch = AIModel.objects.filter(pk__in=self.to_score[start : start + SCORE_BATCH]).only(
                "pk", "types", "total_score"
            )
            recompute_scores(batch, specs)
        self._flag_shared_names()
        self.report.organisations_needing_review = [
            org
            for org in self.orgs_touched.values()
            if org.classification_status == vocab.ClassificationStatus.NEEDS_REVIEW
        ]

    # -- changes curators decided since the last import --------------------------------------

    def _load_reviewed_fields(self) -> None:
        """Fields of models changed by a curator's decision since the last import (an approved
        change request or a superuser's direct edit, see HistoryEntryQuerySet.decided_by_curators),
        and the upstream values already turned into change requests that were not approved
        (asked once, never forced)."""
        last = ImportRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
        reviewed = HistoryEntry.objects.decided_by_curators().filter(ai_model__isnull=False)
        if last is not None:
            reviewed = reviewed.filter(applied_at__gt=last)
        self.reviewed = set(reviewed.values_list("ai_model_id", "field"))
        self.asked = {
            (model_id, field_name, _canonical_json(after))
            for model_id, field_name, after in ChangeRequest.objects.filter(source_value=CONFLICT_SOURCE)
            .exclude(state=ChangeRequest.State.APPROVED)
            .values_list("ai_model_id", "field", "after")
        }

    def _keeps_review(self, model: AIModel, field_name: str, live, upstream) -> bool:
        """True when `field_name` of `model` must keep the value curators decided instead of the file's."""
        key = _canonical_json(_json_safe(upstream))
        if (model.pk, field_name, key) in self.asked:
            return True  # the file still says what a reviewer was already asked about
        if (model.pk, field_name) not in self.reviewed:
            return False
        self.asked.add((model.pk, field_name, key))
        self.report.conflicts.append(Conflict(model, field_name, live, upstream))
        self.report.warnings.append(
            Skipped(
                model.upstream_filename,
                None,
                f"{field_name}: changed upstream, but a curator's change since the last import set it "
                "(approved in review or a superuser's direct edit); kept that value, the upstream value "
                "is now a change request",
            )
        )
        return True

    # -- files renamed or deleted upstream --------------------------------------------------

    def _pair_renamed_files(self, entries: list[FolderEntry], vanished: dict[str, int]) -> None:
        """Files new to the site that are files the site knew under another name (renamed
        upstream, perhaps with their model): paired with the vanished file whose model has the
        same name, else the one whose content (link, types, organisation, grades) is most alike
        (at least RENAME_SIMILARITY of it). A pair keeps its model, its id and its history."""
        new = {}
        for entry in entries:
            if entry.name in self.model_by_file or entry.name in self.renamed:
                continue
            try:
                new[entry.name] = parse_file(entry.name, entry.read_bytes(self.limits), self.known_refs, self.limits)
            except (InputProblem, OSError):
                continue  # reported when the file itself is imported
        if not new:
            return
        old = {pk: _content_key_of_model(pk) for pk in vanished.values()}
        by_pk = {pk: name for name, pk in vanished.items()}
        candidates = []
        for filename, parsed in new.items():
            mine = _content_key_of_file(parsed)
            for pk, theirs in old.items():
                same_name = mine["name"] == theirs["name"]
                candidates.append((not same_name, -_similarity(mine, theirs), filename, pk, same_name))
        candidates.sort()
        for _, minus_similarity, filename, pk, same_name in candidates:
            if filename in self.renamed or pk in self.renamed.values():
                continue
            if same_name or -minus_similarity >= RENAME_SIMILARITY:
                self.renamed[filename] = pk
                self.report.renamed.append((by_pk[pk], filename))

    def _withdraw(self, filename: str, pk: int) -> None:
        """A model whose upstream file was deleted leaves the public index; it is kept, with its
        history, and comes back if the file does."""
        model = AIModel.objects.get(pk=pk)
        if model.removed_upstream_at is not None:
            return
        was_public = model.is_public
        model.removed_upstream_at = self.report.applied_at or timezone.now()
        model.is_public = False
        model.save(update_fields=["removed_upstream_at", "is_public", "updated_at"])
        if was_public:
            self.report.changes.append(FieldChange(model, "is_public", True, False, "its file was deleted upstream"))
        self.report.removed.append(filename)

    def _flag_shared_names(self) -> None:
        """Two files with the same `system.name` are two models, as upstream lists them; each is
        marked for review so that a curator renames one or removes the duplicate upstream."""
        imported = set(self.report.created) | set(self.report.updated) | set(self.report.unchanged)
        if not imported:
            return
        shared = (
            AIModel.objects.exclude(upstream_filename="")
            .values("name")
            .annotate(files=Count("id"))
            .filter(files__gt=1)
            .values_list("name", flat=True)
        )
        for model in (
            AIModel.objects.filter(name__in=list(shared)).exclude(upstream_filename="").order_by("upstream_filename")
        ):
            if model.upstream_filename not in imported:
                continue
            others = (
                AIModel.objects.filter(name=model.name).exclude(pk=model.pk).values_list("upstream_filename", flat=True)
            )
            message = (
                f"system.name {model.name!r} is also the name in {', '.join(sorted(others))}: "
                "listed as separate models, as upstream does; marked for review"
            )
            self.report.warnings.append(Skipped(model.upstream_filename, None, message))
            self.report.review_questions.append(ReviewQuestion(model, "name", model.name, message))

    def _index_org(self, org: Organisation) -> None:
        for spelling in [org.name, *(org.aliases or [])]:
            self.orgs_by_key.setdefault(vocab.name_key(spelling), org)

    # -- one file -------------------------------------------------------------------------

    def _skip(self, problem: FileProblem) -> None:
        if self.strict:
            raise problem
        self.report.skipped.append(Skipped(problem.filename, problem.line, problem.reason))

    def _import_file(self, entry: FolderEntry) -> None:
        name = entry.name
        try:
            parsed = parse_file(name, entry.read_bytes(self.limits), self.known_refs, self.limits)
            self._check(parsed)
            journal = _Journal()
            try:
                outcome = self._apply(parsed, journal)
            except DatabaseError as exc:
                journal.undo(self)
                raise FileProblem(name, None, f"could not be stored: {exc}") from None
        except InputProblem as problem:
            self._skip(FileProblem.of(problem))
            return
        except OSError as exc:
            problem = FileProblem(name, None, f"could not be read: {exc.strerror or exc}")
            if self.strict:
                raise problem from None
            self.report.skipped.append(Skipped(name, None, problem.reason))
            return
        if parsed.tag_lines:
            self.tag_line_numbers[name] = parsed.tag_lines
        for line, message in parsed.warnings:
            self.report.warnings.append(Skipped(name, line, message))
        target = self.current_model
        for field_name, raw, _line, message in parsed.questions:
            self.report.review_questions.append(ReviewQuestion(target, field_name, raw, message))
        if outcome != "queued":  # queued new models are counted once inserted
            getattr(self.report, outcome).append(name)

    def _check(self, parsed: ParsedFile) -> None:
        """Problems that need the run's state or the schema, found before anything is written."""
        for attr, value in parsed.system.items():
            limit = AIModel._meta.get_field(attr).max_length
            if limit and isinstance(value, str) and len(value) > limit:
                raise FileProblem(parsed.filename, None, f"system: {attr} is longer than {limit} characters")
        nul = _first_nul_path(parsed)
        if nul:
            raise FileProblem(parsed.filename, None, f"{nul}: contains a NUL character, which cannot be stored")
        if parsed.org:
            for key in ("name", "link"):
                limit = Organisation._meta.get_field(key).max_length
                if len(parsed.org[key]) > limit:
                    raise FileProblem(
                        parsed.filename, parsed.line_of("org", key), f"org.{key} is longer than {limit} characters"
                    )

    def _apply(self, parsed: ParsedFile, journal: _Journal) -> str:
        """Write one file. A file that writes anything gets a savepoint of its own, so a failure
        undoes that file only; a new model whose organisation is unchanged writes nothing yet."""
        changes: list[FieldChange] = []
        organisation, unsaved = self._organisation(parsed, journal, changes) if parsed.org else (None, False)
        pk = (
            self.model_by_file.get(parsed.filename)
            or self.renamed.get(parsed.filename)
            or self.model_by_name.get(parsed.system["name"])
        )
        if pk == -1:  # a model queued earlier in this run: never two files into one model
            pk = None
        if not unsaved and pk is None:
            return self._apply_model(parsed, organisation, None, changes, journal, org_written=False)
        with transaction.atomic():
            if unsaved:
                self._save_organisation(organisation, journal)
            return self._apply_model(parsed, organisation, pk, changes, journal, org_written=unsaved)

    def _apply_model(
        self, parsed, organisation, pk, changes: list[FieldChange], journal: _Journal, *, org_written: bool
    ) -> str:
        extra = dict(parsed.extra)
        missing = [ref for ref in self.active_refs if ref not in parsed.assessments]
        if missing:
            extra["absent"] = sorted(set(extra.get("absent", [])) | set(missing))
        if organisation is not None:
            for key in ("name", "link", "notes"):
                raw = parsed.org["raw"][key]
                means = organisation.name if key == "name" else canonical_text(getattr(organisation, key))
                if normalise_whitespace(raw) != means:
                    extra.setdefault("raw", {})[f"org.{key}"] = {"value": raw, "means": means}
        wanted = {
            **{k: v for k, v in parsed.system.items() if k != "types"},
            "types": ",".join(parsed.system["types"]),
            "organisation_id": organisation.pk if organisation else None,
            "origin_tag": parsed.origin_tag or "",
            "contributor_tag": parsed.contributor_tag or "",
            "upstream_filename": parsed.filename,
            "upstream_extra": _json_safe(extra),
        }
        grades = dict(parsed.assessments.items())
        for ref in missing:
            grades[ref] = None  # no block in the file: not assessed

        if organisation is not None:
            self.orgs_to_settle.add(organisation.pk)
        if pk is None:
            self.current_model = self._create(parsed, wanted, grades, journal)
            self.report.changes.extend(changes)
            return "queued"
        model = AIModel.objects.select_related("organisation").get(pk=pk)
        self.current_model = model
        if model.removed_upstream_at is not None:  # its file is back upstream
            wanted["removed_upstream_at"] = None
            wanted["is_public"] = True
        if not model.upstream_filename:  # a site-made model now has its file: take it off the name map
            self.model_by_name.pop(model.name, None)
        changed = self._update(model, wanted, grades, changes)
        self.report.changes.extend(changes)
        if changed or changes or org_written:
            self.to_score.append(model.pk)
            return "updated"
        return "unchanged"

    def _create(self, parsed: ParsedFile, wanted: dict, grades: dict, journal: _Journal) -> AIModel:
        """Queue a new model; queued models are inserted in bulk (see _flush_new)."""
        slug = _unique_slug(wanted["name"], self.model_slugs, "model")
        journal.model_slugs.append(slug)
        model = AIModel(slug=slug, **wanted)
        assessments = [Assessment(dimension=self._dimension(ref), **_assessment_values(a)) for ref, a in grades.items()]
        self.model_by_file[parsed.filename] = -1  # taken; the id is known after the insert
        journal.model_keys.append((parsed.filename, None))
        self.pending.append(_PendingModel(parsed.filename, model, assessments, journal))
        if len(self.pending) >= INSERT_BATCH:
            self._flush_new()
        return model

    def _flush_new(self) -> None:
        """Insert the queued new models and their assessments: two queries per batch.

        Everything was validated before it was queued, so a failure here is unexpected; if one
        happens the batch is retried file by file, so only the file at fault is skipped.
        """
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            with transaction.atomic():
                AIModel.objects.bulk_create([p.model for p in batch])
                for p in batch:
                    for assessment in p.assessments:
                        assessment.ai_model = p.model
                Assessment.objects.bulk_create([a for p in batch for a in p.assessments], batch_size=2000)
            stored = batch
        except DatabaseError:
            stored = [p for p in batch if self._insert_one(p)]
        for p in stored:
            self.model_by_file[p.filename] = p.model.pk
            self.created_pks.append(p.model.pk)
            self.to_score.append(p.model.pk)
            self.new_models.add(p.model.pk)
            self.report.created.append(p.filename)

    def _insert_one(self, pending: _PendingModel) -> bool:
        pending.model.pk = None
        pending.model._state.adding = True
        try:
            with transaction.atomic():
                pending.model.save()
                for assessment in pending.assessments:
                    assessment.pk, assessment.ai_model = None, pending.model
                Assessment.objects.bulk_create(pending.assessments)
        except DatabaseError as exc:
            problem = FileProblem(pending.filename, None, f"could not be stored: {exc}")
            if self.strict:
                raise problem from None
            pending.journal.undo(self, delete_new_orgs=True)
            self.report.review_questions = [q for q in self.report.review_questions if q.target is not pending.model]
            self.report.created = [f for f in self.report.created if f != pending.filename]
            self.report.skipped.append(Skipped(pending.filename, None, problem.reason))
            return False
        return True

    def _update(self, model: AIModel, wanted: dict, grades: dict, changes: list[FieldChange]) -> bool:
        dirty = []
        for attr, value in wanted.items():
            current = getattr(model, attr)
            if current == value:
                continue
            if attr == "types":
                after = [t for t in value.split(",") if t]
                if self._keeps_review(model, "types", model.type_list, after):
                    continue
                changes.append(FieldChange(model, "types", model.type_list, after))
            elif attr == "organisation_id":
                before = (
                    {"id": model.organisation_id, "name": model.organisation.name} if model.organisation_id else None
                )
                after = None
                if value is not None:
                    after = {"id": value, "name": Organisation.objects.only("name").get(pk=value).name}
                if self._keeps_review(model, "organisation", before, after):
                    continue
                changes.append(FieldChange(model, "organisation", before, after))
            elif attr in ("performance_class", "is_public", "hf_repos") and self._keeps_review(
                model, attr, current, value
            ):
                continue
            elif attr == "upstream_filename":
                # A rename upstream is kept in history (a past date lists the model under that
                # day's file), never shown to readers; a site-made model getting its file is not one.
                if current:
                    changes.append(FieldChange(model, attr, current, value))
            elif attr not in (
                "upstream_extra",
                "release_date_precision",
                "removed_upstream_at",
                "origin_tag",
                "contributor_tag",
            ):
                changes.append(FieldChange(model, attr, _jsonable(current), _jsonable(value)))
            dirty.append(attr)
            for group in TAG_GROUPS:
                if attr in (group.tag_attr, "organisation_id"):
                    self.retagged.add((model.pk, group.field))
            if attr == "organisation_id" and current is not None:
                self.orgs_to_settle.add(current)  # its usual classification may follow other files now
            setattr(model, attr, value)
        if dirty:
            model.save(update_fields=[*dirty, "updated_at"])

        existing = {a.dimension.ref: a for a in Assessment.objects.filter(ai_model=model).select_related("dimension")}
        to_update, to_create = [], []
        for ref, parsed in grades.items():
            values = _assessment_values(parsed)
            row = existing.pop(ref, None)
            if row is None:
                to_create.append(Assessment(ai_model=model, dimension=self._dimension(ref), **values))
                changes.append(FieldChange(model, f"assessment:{ref}", None, values))
                continue
            before = {"grade": row.grade, "links": list(row.links or []), "notes": row.notes}
            if before != values and not self._keeps_review(model, f"assessment:{ref}", before, values):
                row.grade, row.links, row.notes = values["grade"], values["links"], values["notes"]
                to_update.append(row)
                changes.append(FieldChange(model, f"assessment:{ref}", before, values))
        if to_update:
            Assessment.objects.bulk_update(to_update, ["grade", "links", "notes"])
        if to_create:
            Assessment.objects.bulk_create(to_create)
        for ref, row in existing.items():  # the file no longer has this block
            changes.append(
                FieldChange(
                    model, f"assessment:{ref}", {"grade": row.grade, "links": row.links, "notes": row.notes}, None
                )
            )
            row.delete()
        return bool(dirty)

    def _dimension(self, ref: str) -> Dimension:
        if ref not in self.dimensions:
            self.dimensions[ref] = ensure_legacy_dimension(ref)
        return self.dimensions[ref]

    # -- organisations --------------------------------------------------------------------

    def _organisation(
        self, parsed: ParsedFile, journal: _Journal, changes: list[FieldChange]
    ) -> tuple[Organisation, bool]:
        """The file's organisation, found or new, with the file's details applied in memory.

        Returns it and whether it must be saved (see _save_organisation)."""
        details = parsed.org
        key = vocab.name_key(details["name"])
        org = self.orgs_by_key.get(key)
        if org is None:
            org = Organisation(
                name=details["name"],
                slug=_unique_slug(details["name"], self.org_slugs, "organisation"),
                link=details["link"],
                notes=details["notes"],
                classification_status=vocab.ClassificationStatus.NEEDS_REVIEW,
            )
            journal.new_orgs.append(org)
            self._index_org(org)
            self.report.organisations_created.append(org)
            return org, True

        journal.remember(org)
        dirty = set()
        if details["name"] != org.name and details["name"] not in (org.aliases or []):
            org.aliases = [*(org.aliases or []), details["name"]]
            dirty.add("aliases")
        if org.pk not in self.org_details_set:
            # The first file of this run that names the organisation gives its link and notes.
            self.org_details_set.add(org.pk)
            for attr in ("link", "notes"):
                if details[attr] != getattr(org, attr):
                    setattr(org, attr, details[attr])
                    dirty.add(attr)
        self.orgs_touched[org.pk] = org
        return org, bool(dirty)

    def _save_organisation(self, org: Organisation, journal: _Journal) -> None:
        is_new = org.pk is None
        org.save()
        if is_new:  # now that it has an id, the run can track it
            self.org_details_set.add(org.pk)
            self.orgs_touched[org.pk] = org

    def _parse_tags(self, origin_tag: str | None, contributor_tag: str | None):
        """Tag values repeat across files; mapping them once per run keeps big imports fast."""
        key = (origin_tag, contributor_tag)
        if key not in self.tag_cache:
            if len(self.tag_cache) > _TAG_CACHE_SIZE:
                self.tag_cache.clear()
            origin = vocab.parse_national_origin(origin_tag) if origin_tag else None
            contributor = vocab.parse_contributor_type(contributor_tag, origin) if contributor_tag else None
            self.tag_cache[key] = (origin, contributor)
        return self.tag_cache[key]

    # -- classification, once every file is read -------------------------------------------

    def _settle_classifications(self) -> None:
        """Each settled organisation's usual classification from its files, and each model's own
        where its file says otherwise. Tag text unchanged since the last import keeps what
        curators decided since, at both levels; a change of an organisation's usual value never
        changes what its other models count as (they keep their effective value as their own)."""
        models = (
            AIModel.objects.filter(
                Q(organisation_id__in=self.orgs_to_settle)
                | Q(pk__in=self.new_models | {pk for pk, _ in self.retagged}, organisation__isnull=True)
            )
            .exclude(upstream_filename="")
            .only(
                "pk",
                "name",
                "organisation_id",
                "upstream_filename",
                "origin_tag",
                "contributor_tag",
                *_OWN_FIELDS,
            )
            .order_by("upstream_filename", "pk")
        )
        members: dict[int | None, list[AIModel]] = {}
        for model in models:
            members.setdefault(model.organisation_id, []).append(model)
        known = {pk: org for pk, org in self.orgs_touched.items() if pk in members}
        missing = [pk for pk in members if pk is not None and pk not in known]
        known.update(Organisation.objects.in_bulk(missing))
        changed_models: dict[int, AIModel] = {}
        for org_id, files in members.items():
            org = known.get(org_id)
            if org_id is not None and org is None:
                continue
            for model in self._settle_organisation(org, files):
                changed_models[model.pk] = model
        if changed_models:
            AIModel.objects.bulk_update(list(changed_models.values()), _OWN_FIELDS, batch_size=INSERT_BATCH)
            for pk in changed_models:
                if pk not in self.new_models and pk not in self.to_score:
                    self.to_score.append(pk)  # counted as updated below; scores are unaffected
            updated = set(self.report.updated) | set(self.report.created)
            for model in changed_models.values():
                if model.upstream_filename not in updated and model.upstream_filename in self.report.unchanged:
                    self.report.unchanged.remove(model.upstream_filename)
                    self.report.updated.append(model.upstream_filename)

    def _settle_organisation(self, org: Organisation | None, files: list[AIModel]) -> list[AIModel]:
        """Settle one organisation (None: models without one); returns the models changed."""
        is_new = org is not None and org in self.report.organisations_created
        mapped = {m.pk: self._parse_tags(m.origin_tag or None, m.contributor_tag or None) for m in files}
        changed: list[AIModel] = []
        org_dirty = False
        unsettled = False  # a tag of the organisation is only known in words the vocabulary lacks
        for index, group in enumerate(TAG_GROUPS):
            values = {m.pk: _value(group, mapped[m.pk][index]) for m in files}
            usual_changed, old_usual = False, None
            if org is not None:
                old_usual = group.read_org(org)
                usual_changed, dirty, words_only = self._settle_usual(
                    org, group, files, values, old_usual, is_new=is_new
                )
                org_dirty = org_dirty or dirty
                unsettled = unsettled or words_only
            changed += self._settle_own(org, group, files, values, usual_changed=usual_changed, old_usual=old_usual)
        if org is not None and org_dirty:
            classified = not unsettled and org.origin_scope != vocab.OriginScope.UNKNOWN and bool(org.sector)
            org.classification_status = (
                vocab.ClassificationStatus.CLASSIFIED if classified else vocab.ClassificationStatus.NEEDS_REVIEW
            )
            org.save()
            self.orgs_touched[org.pk] = org
        return changed

    def _settle_usual(
        self,
        org: Organisation,
        group: _TagGroup,
        files: list[AIModel],
        values: dict[int, Any],
        old_usual: Any,
        *,
        is_new: bool,
    ) -> tuple[bool, bool, bool]:
        """The organisation's usual value for one tag group, from its files' votes (`values`:
        {model id: mapped value or None}; `old_usual`: the usual value before). Returns (usual value changed, organisation to be
        saved, known only in words the vocabulary lacks)."""
        winner = usual_value(
            [(m.upstream_filename, values[m.pk], getattr(m, group.tag_attr)) for m in files if values[m.pk]]
        )
        raw_now = getattr(org, group.tag_attr)
        if winner is not None and winner[1] != raw_now:
            value, raw = winner
            setattr(org, group.tag_attr, raw)
            if value == old_usual:
                return False, True, False
            group.write_org(org, value)
            if not is_new:
                self.report.changes.append(FieldChange(org, group.field, old_usual, value))
            return True, True, False
        if winner is None:
            words = [getattr(m, group.tag_attr) for m in files if getattr(m, group.tag_attr) and not values[m.pk]]
            if words and words[0] != raw_now:
                setattr(org, group.tag_attr, words[0])
                for word in dict.fromkeys(words):
                    self.report.unmapped_tags.append(UnmappedTag(org, group.field, word))
                for model in files:
                    if getattr(model, group.tag_attr) and not values[model.pk]:
                        self._warn_unmapped(model, group, org)
                return False, True, True
        return False, False, False

    def _settle_own(
        self,
        org: Organisation | None,
        group: _TagGroup,
        files: list[AIModel],
        values: dict[int, Any],
        *,
        usual_changed: bool,
        old_usual: Any,
    ) -> list[AIModel]:
        """Each model's own value for one tag group: set where its (new or retagged) file differs
        from its organisation's usual value, kept as its effective value where the usual value
        moved (`old_usual`: the usual value before). Returns the models changed."""
        changed: list[AIModel] = []
        usual = group.read_org(org) if org is not None else None
        for model in files:
            own = group.read_own(model)
            if model.pk in self.new_models or (model.pk, group.field) in self.retagged:
                words = getattr(model, group.tag_attr)
                if values[model.pk] is None and words:
                    self._unmapped_model_tag(org, model, group, words)
                    wanted = own  # unknown words change nothing; a question is asked
                elif values[model.pk] is None:
                    wanted = None  # no such tag in the file: as its organisation
                else:
                    wanted = None if values[model.pk] == usual else values[model.pk]
            elif usual_changed:
                effective = own if own is not None else old_usual
                wanted = None if effective == usual else effective
            else:
                continue
            if wanted != own:
                group.write_own(model, wanted)
                changed.append(model)
                if model.pk not in self.new_models:
                    self.report.changes.append(FieldChange(model, group.field, own, wanted))
        return changed

    def _unmapped_model_tag(self, org: Organisation | None, model: AIModel, group: _TagGroup, words: str) -> None:
        """A file's tag the vocabulary does not know: asked about on the model when its
        organisation's usual value is known (else the organisation is asked, see above)."""
        if org is not None and getattr(org, group.tag_attr) == words:
            return  # the organisation's own question
        self.report.unmapped_tags.append(UnmappedTag(org, group.field, words, ai_model=model))
        self._warn_unmapped(model, group, None)

    def _warn_unmapped(self, model: AIModel, group: _TagGroup, org: Organisation | None) -> None:
        whose = f"organisation {org.name!r}" if org is not None else f"model {model.name!r}"
        self.report.warnings.append(
            Skipped(
                model.upstream_filename,
                self.tag_line_numbers.get(model.upstream_filename, {}).get(group.tag),
                f"{whose}: {group.field.replace('_', ' ')} tag {getattr(model, group.tag_attr)!r} is not in the "
                "vocabulary; kept as written, marked for review",
            )
        )


def _value(group: _TagGroup, parsed) -> dict | None:
    """A parsed tag as the review field's value (plain strings), or None."""
    if parsed is None:
        return None
    if group.field == "national_origin":
        return {"scope": str(parsed.scope), "country": parsed.country or ""}
    return {"sector": str(parsed.sector), "kind": str(parsed.kind), "bloc": str(parsed.bloc)}


_TAG_CACHE_SIZE = 4096

# How alike a new file and a vanished one must be (share of equal fields) to count as a rename.
RENAME_SIMILARITY = 0.8


def _content_key_of_file(parsed: ParsedFile) -> dict:
    return {
        "name": parsed.system["name"],
        "link": parsed.system.get("link") or "",
        "types": ",".join(parsed.system["types"]),
        "org": (parsed.org or {}).get("name", ""),
        "grades": {ref: a.grade for ref, a in parsed.assessments.items() if a.grade != vocab.Grade.NOT_ASSESSED},
    }


def _content_key_of_model(pk: int) -> dict:
    model = AIModel.objects.select_related("organisation").get(pk=pk)
    grades = dict(
        Assessment.objects.filter(ai_model_id=pk)
        .exclude(grade=vocab.Grade.NOT_ASSESSED)
        .values_list("dimension__ref", "grade")
    )
    return {
        "name": model.name,
        "link": model.link or "",
        "types": model.types,
        "org": model.organisation.name if model.organisation else "",
        "grades": grades,
    }


def _similarity(a: dict, b: dict) -> float:
    """Share of equal values over link, types, organisation and every graded dimension."""
    keys = set(a["grades"]) | set(b["grades"])
    equal = sum(a[k] == b[k] for k in ("link", "types", "org"))
    equal += sum(a["grades"].get(k) == b["grades"].get(k) for k in keys)
    return equal / (3 + len(keys))


class _Journal:
    """What one file changed in the run's in-memory state, to undo if its savepoint rolls back."""

    def __init__(self):
        self.new_orgs: list[Organisation] = []
        self.known_orgs: list[Organisation] = []
        self.model_slugs: list[str] = []
        self.model_keys: list[tuple[str, str]] = []

    def remember(self, org: Organisation) -> None:
        self.known_orgs.append(org)

    def undo(self, run: _Run, *, delete_new_orgs: bool = False) -> None:
        for org in self.new_orgs:
            for key, value in list(run.orgs_by_key.items()):
                if value is org:
                    del run.orgs_by_key[key]
            run.org_slugs.discard(org.slug)
            if org in run.report.organisations_created:
                run.report.organisations_created.remove(org)
            if org.pk is None:
                continue
            run.orgs_touched.pop(org.pk, None)
            run.org_details_set.discard(org.pk)
            if delete_new_orgs and not AIModel.objects.filter(organisation=org).exists():
                org.delete()  # created for a file that was then skipped: leave nothing behind
        for org in self.known_orgs:
            if org.pk is not None:
                org.refresh_from_db()
        for slug in self.model_slugs:
            run.model_slugs.discard(slug)
        for filename, _name in self.model_keys:
            run.model_by_file.pop(filename, None)


def _first_nul_path(parsed: ParsedFile) -> str | None:
    """Where a NUL character hides in a value (YAML allows "\\0"; PostgreSQL text does not)."""
    values = [(f"system.{k}", v) for k, v in parsed.system.items()]
    values += [(f"org.{k}", v) for k, v in (parsed.org or {}).items() if k != "raw"]
    for ref, a in parsed.assessments.items():
        values += [(f"{ref}.notes", a.notes), *((f"{ref}.link", link) for link in a.links)]
    for path, value in values:
        if isinstance(value, str) and "\x00" in value:
            return path
    return None


def _origin_value(org: Organisation) -> dict:
    """As curation.review.fields reads `national_origin`: plain strings, JSON-ready."""
    return {"scope": str(org.origin_scope), "country": org.country.code if org.country else ""}


def _contributor_value(org: Organisation) -> dict:
    return {"sector": str(org.sector), "kind": str(org.contributor_kind), "bloc": str(org.big_tech_bloc)}


def _assessment_values(parsed) -> dict:
    if parsed is None:
        return {"grade": vocab.Grade.NOT_ASSESSED, "links": [], "notes": ""}
    return {"grade": parsed.grade, "links": list(parsed.links), "notes": parsed.notes}


def _unique_slug(name: str, taken: set[str], fallback: str) -> str:
    base = (slugify(name) or fallback)[:190]
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _json_safe(value):
    """YAML may give dates, datetimes and the like; JSON fields want plain values."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, SourceText):
        return {"__yaml_plain__": str(value)}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return {"__yaml_date__": value.isoformat()}
    return str(value)


def _registry_snapshot():
    return list(
        Dimension.objects.order_by("ref").values_list(
            "ref", "name", "category__ref", "category__position", "position", "applicable_types", "is_active"
        )
    )
