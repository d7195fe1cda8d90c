"""Builds small upstream-format model files for the interchange tests."""

from __future__ import annotations

from curation.interchange.upstream import STANDARD_HEADER

DIMENSIONS = [
    (
        "availability",
        ["datasources_basemodel", "datasources_endmodel", "weights_basemodel", "weights_endmodel", "trainingcode"],
    ),
    ("documentation", ["code", "hardware_architecture", "preprint", "paper", "modelcard", "datasheet"]),
    ("access", ["licenses"]),
]


def model_file(
    name: str,
    *,
    org: str | None = "Example Lab",
    origin: str | None = "France",
    contributor: str | None = "Non-academic (Company)",
    types: str = "text",
    grades: dict[str, str] | None = None,
    extra_blocks: str = "",
    releasedate: str = "2024-05",
) -> str:
    """A file like upstream's; every dimension `closed` unless `grades` says otherwise."""
    grades = grades or {}
    lines = ["---", STANDARD_HEADER.rstrip("\n"), ""]
    if origin or contributor:
        lines.append("# Organization tags:")
        if origin:
            lines.append(f"# - National origin: {origin}")
        if contributor:
            lines.append(f"# - Contributor type: {contributor}")
        lines.append("")
    lines += [
        "system:",
        f"    name: {name}",
        "    link: https://example.org/model",
        f"    type: {types}",
        "    performanceclass: full",
        "    basemodelname: Example Base",
        f"    endmodelname: {name}",
        "    endmodellicense: Apache-2.0",
        f"    releasedate: {releasedate}",
        "    notes: A model described for tests.",
        "",
    ]
    if org is not None:
        lines += ["org:", f"    name: {org}", "    link: https://example.org", "    notes: An organisation.", ""]
    for category, refs in DIMENSIONS:
        lines.append(f"# {category}:")
        for ref in refs:
            lines += [
                f"{ref}:",
                f"    class: {grades.get(ref, 'closed')}",
                f"    link: https://example.org/{ref}",
                "    notes:",
                "",
            ]
    return "\n".join(lines) + extra_blocks + "\n"
