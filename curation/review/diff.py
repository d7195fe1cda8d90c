"""Before/after diffs of change requests and history entries, for reviewers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join

from curation import vocab
from curation.models import AIModel, Organisation

from .fields import ASSESSMENT_PREFIX, display_value, field_label


@dataclass(frozen=True)
class DiffRow:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _target_model(obj) -> type | None:
    if getattr(obj, "ai_model_id", None):
        return AIModel
    if getattr(obj, "organisation_id", None):
        return Organisation
    # A deleted target: tell models and organisations apart by the field name.
    return AIModel if obj.field.startswith(ASSESSMENT_PREFIX) or obj.field in ("types", "performance_class") else None


def _grade_label(value) -> str:
    try:
        return f"{vocab.GRADE_SYMBOLS[value]} {vocab.Grade(value).label}"
    except (KeyError, ValueError):
        return str(value or "")


def diff_rows(obj) -> list[DiffRow]:
    """Rows of (part, before, after) for a change request or history entry."""
    before, after = obj.before, obj.after
    if obj.field.startswith(ASSESSMENT_PREFIX) and isinstance(before, dict | None) and isinstance(after, dict | None):
        before, after = before or {}, after or {}
        return [
            DiffRow("grade", _grade_label(before.get("grade")), _grade_label(after.get("grade")) if after else ""),
            DiffRow("evidence", "\n".join(before.get("links") or []), "\n".join(after.get("links") or [])),
            DiffRow("notes", before.get("notes") or "", after.get("notes") or ""),
        ]
    model = _target_model(obj)
    after_text = display_value(model, obj.field, after)
    if after is None and getattr(obj, "source_value", None):
        after_text = f"? (unmapped upstream value “{obj.source_value}”)"
    return [DiffRow(obj.field.replace("_", " "), display_value(model, obj.field, before), after_text)]


def diff_summary(obj) -> str:
    """One line, e.g. "Partial → Open"."""
    changed = [row for row in diff_rows(obj) if row.changed] or diff_rows(obj)[:1]
    return "; ".join(f"{row.before or '(none)'} → {row.after or '(none)'}" for row in changed)[:300]


def diff_table(obj):
    """An HTML table of the diff; changed rows are marked in words, not by colour alone."""
    rows = format_html_join(
        "",
        '<tr{}><th scope="row">{}</th><td style="white-space:pre-wrap">{}</td>'
        '<td style="white-space:pre-wrap">{}</td><td>{}</td></tr>',
        (
            (
                ' class="changed"' if row.changed else "",
                row.label,
                row.before or "(none)",
                row.after or "(none)",
                "changed" if row.changed else "",
            )
            for row in diff_rows(obj)
        ),
    )
    return format_html(
        '<table class="review-diff"><thead><tr><th scope="col">Part</th><th scope="col">Before</th>'
        '<th scope="col">After</th><th scope="col"></th></tr></thead><tbody>{}</tbody></table>',
        rows,
    )


def content_rows(target_model: type | None, frozen: dict, live: dict | None) -> list[DiffRow]:
    """(part, content frozen in a publication request, the draft now) for each part of it;
    `live` is None when the draft no longer exists. Details first, then classification, grades."""
    names = list(frozen) + [name for name in (live or {}) if name not in frozen]
    rows = []
    for name in names:
        label = field_label(target_model, name) if name in frozen or name.startswith(ASSESSMENT_PREFIX) else name
        shown = display_value(target_model, name, frozen.get(name))
        now = display_value(target_model, name, (live or {}).get(name)) if live is not None else "(deleted)"
        rows.append(DiffRow(label.replace("_", " "), shown, now))
    return rows


def content_table(target_model: type | None, frozen: dict, live: dict | None):
    """An HTML table of what a publication request publishes, with every part that changed since
    the request marked in words."""
    rows = format_html_join(
        "",
        '<tr{}><th scope="row">{}</th><td style="white-space:pre-wrap">{}</td>'
        '<td style="white-space:pre-wrap">{}</td></tr>',
        (
            (
                ' class="changed"' if row.changed else "",
                row.label,
                row.before or "(none)",
                f"changed since the request: {row.after or '(none)'}" if row.changed else "unchanged",
            )
            for row in content_rows(target_model, frozen, live)
        ),
    )
    return format_html(
        '<table class="review-diff"><thead><tr><th scope="col">Part</th><th scope="col">Published on approval</th>'
        '<th scope="col">The draft now</th></tr></thead><tbody>{}</tbody></table>',
        rows,
    )
