"""Generated upstream-format model files, for the import benchmark and tests (never for readers).

Files look like real ones (header, comment tags, `system:`, `org:`, one block per dimension of
the bundled registry) and vary over every vocabulary value, including older spellings such as
`Non-academic (Big Tech)`, so the importer does the same work as on real data.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

from curation import vocab
from curation.registry import DEFAULT_REGISTRY

from .upstream import STANDARD_HEADER

_ORIGINS = [
    "United States",
    "China",
    "France",
    "Germany",
    "United Kingdom",
    "Netherlands",
    "Canada",
    "United Arab Emirates",
    "Singapore",
    "South Korea",
    "Japan",
    "International",
    "Undisclosed",
]
_CONTRIBUTORS = [
    "Academic (University)",
    "Academic (Research institution)",
    "Academic (Research community)",
    "Non-academic (Company)",
    "Non-academic (Research lab)",
    "Non-academic (Individual)",
    "Non-academic (American Big Tech)",
    "Non-academic (Chinese Big Tech)",
    "Non-academic (Chinese AI Tiger)",
    "Non-academic (European Big Tech)",
    "Non-academic (Big Tech)",
]


def registry_refs(parameters: Path = DEFAULT_REGISTRY) -> list[tuple[str, list[str]]]:
    """(category ref, [dimension refs]) in registry order."""
    data = yaml.safe_load(Path(parameters).read_text(encoding="utf-8"))
    return [(c["ref"], [p["ref"] for p in c.get("params") or []]) for c in data]


def synthetic_file_text(
    index: int, rng: random.Random, categories: list[tuple[str, list[str]]], *, organisations: int = 2000
) -> str:
    org_number = rng.randrange(organisations)
    org_rng = random.Random(org_number)  # an organisation keeps its tags across files
    types = rng.sample(vocab.ModelType.values, rng.choice([1, 1, 1, 2]))
    lines = [
        "---",
        STANDARD_HEADER.rstrip("\n"),
        "",
        "# Organization tags:",
        f"# - National origin: {org_rng.choice(_ORIGINS)}",
        f"# - Contributor type: {org_rng.choice(_CONTRIBUTORS)}",
        "",
        "system:",
        f"    name: Generated Model {index:05d}",
        f"    link: https://example.org/models/{index}",
        f"    type: {', '.join(types)}",
        f"    performanceclass: {rng.choice([*vocab.PerformanceClass.values, ''])}",
        f"    basemodelname: Generated Base {index % 97}",
        f"    endmodelname: Generated Model {index:05d} Instruct",
        f"    endmodellicense: {rng.choice(['Apache-2.0', 'MIT', 'Custom licence', ''])}",
        f"    releasedate: {rng.randint(2019, 2026)}-{rng.randint(1, 12):02d}",
        "    notes: Generated for load testing; not a real model.",
        "",
        "org:",
        f"    name: Generated Organisation {org_number:04d}",
        f"    link: https://example.org/organisations/{org_number}",
        "    notes: Generated organisation.",
        "",
    ]
    for category, refs in categories:
        lines.append(f"# {category}:")
        for ref in refs:
            grade = rng.choices(["open", "partial", "closed", ""], weights=[35, 25, 35, 5])[0]
            link = rng.choice(
                [
                    "",
                    f"https://example.org/evidence/{index}/{ref}",
                    f'["https://example.org/evidence/{index}/{ref}", "https://example.org/more/{index}"]',
                ]
            )
            lines += [f"{ref}:", f"    class: {grade}", f"    link: {link}", f"    notes: Evidence note for {ref}.", ""]
    return "\n".join(lines) + "\n"


def write_synthetic_folder(folder: Path, count: int, *, seed: int = 11) -> Path:
    """Write `count` model files plus the registry's `_parameters.yml` into `folder`, one at a time."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULT_REGISTRY, folder / "_parameters.yml")
    categories = registry_refs()
    rng = random.Random(seed)
    for index in range(count):
        (folder / f"generated-{index:05d}.yaml").write_text(
            synthetic_file_text(index, rng, categories), encoding="utf-8"
        )
    return folder
