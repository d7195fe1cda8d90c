"""Replaying the git history of the upstream database, commit by commit.

Each commit becomes one import (curation.interchange.importer with a `Delta`): only the files
the commit changed are read and parsed (all of them when it changed the dimension registry) (git's own diff, with its rename detection), files it
deleted withdraw their models, and every change is recorded with the commit's date as when it
happened and "upstream commit <id> of <date>: <message>" as where it came from. So the history,
the public changelog, each model's score history and `?as_of=` reach back to the first commit.

Commits are replayed in git's date order (`rev-list --date-order`, parents before children), each
as the state of its own tree: the index after a commit is exactly that commit's files, and a
date shows the state of the last commit made by the end of that day, on whichever branch it was
made (upstream's site published work from its preview branch too).

The site remembers the last commit it replayed (each import run's source is
`git:<repository>@<commit id>`), so a later run diffs from there. Git is run as a subprocess (`git` must be
installed); file contents are read through one `git cat-file --batch` process.
"""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.models import ImportRun

from .importer import Delta, ImportReport, import_index
from .safe_input import InputLimits, InputProblem
from .upstream import is_model_file

REGISTRY_FILE = "_parameters.yml"
DESCRIPTIONS_FILE = "_parameters-descriptions.yml"
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's id of the empty tree


class GitHistoryError(Exception):
    """The repository or a revision cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Commit:
    id: str
    date: datetime.datetime  # the commit date, timezone-aware
    message: str  # the subject line

    @property
    def label(self) -> str:
        return f"upstream commit {self.id[:7]} of {self.date:%Y-%m-%d}: {self.message[:120]}"


class _BlobEntry:
    """A file of a commit, read on demand through the shared `git cat-file --batch` process."""

    def __init__(self, reader: _BlobReader, commit: str, name: str):
        self.reader, self.commit, self.name = reader, commit, name

    def read_bytes(self, limits: InputLimits) -> bytes:
        data = self.reader.read(f"{self.commit}:{self.name}")
        if data is None:
            raise InputProblem(self.name, None, f"could not be read from commit {self.commit[:7]}")
        if len(data) > limits.max_file_bytes:
            raise InputProblem(
                self.name, None, f"is {len(data)} bytes; files over {limits.max_file_bytes} bytes are refused"
            )
        return data


class _BlobReader:
    def __init__(self, repo: Path):
        self.process = subprocess.Popen(
            ["git", "-C", str(repo), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def read(self, spec: str) -> bytes | None:
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None:  # started with pipes in __init__; closed by close()
            raise GitHistoryError("git cat-file is no longer running")
        stdin.write(spec.encode("utf-8") + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return None
        size = int(header[2])
        data = stdout.read(size)
        stdout.read(1)  # the newline after the contents
        return data

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise GitHistoryError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitHistoryError(f"{repo}: git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout.decode("utf-8", "surrogateescape")


def commits_of(repo: Path, rev_from: str | None = None, rev_to: str | None = None) -> list[Commit]:
    """The commits to replay, oldest first: every commit reachable from `rev_to` (default HEAD),
    from `rev_from` on (inclusive) when given, in date order with parents before children."""
    target = rev_to or "HEAD"
    out = _git(repo, "log", "--reverse", "--date-order", "--format=%H%x00%cI%x00%s%x1e", target)
    commits = []
    for record in out.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        sha, date, message = record.split("\x00", 2)
        commits.append(Commit(sha, datetime.datetime.fromisoformat(date), message.strip()))
    if rev_from:
        start = _git(repo, "rev-parse", "--verify", f"{rev_from}^{{commit}}").strip()
        ids = [c.id for c in commits]
        if start not in ids:
            raise GitHistoryError(f"--from {rev_from}: not an ancestor of {target}")
        commits = commits[ids.index(start) :]
    return commits


def _changes(repo: Path, before: str | None, commit: str) -> list[tuple[str, str, str | None]]:
    """(status, path, old path for renames) of the top-level files that differ."""
    out = _git(repo, "diff-tree", "-r", "-M", "--no-commit-id", "--name-status", "-z", before or _EMPTY_TREE, commit)
    parts = out.split("\x00")
    changes: list[tuple[str, str, str | None]] = []
    i = 0
    while i < len(parts) - 1:
        status = parts[i]
        if status.startswith(("R", "C")):
            old, new = parts[i + 1], parts[i + 2]
            changes.append((status[0], new, old))
            i += 3
        else:
            changes.append((status[0], parts[i + 1], None))
            i += 2
    return changes


def delta_between(repo: Path, reader: _BlobReader, before: str | None, commit: str) -> Delta:
    """The Delta that turns the tree of `before` (None: nothing) into the tree of `commit`."""
    delta = Delta()
    registry_changed = False
    for status, path, old in _changes(repo, before, commit):
        if path in (REGISTRY_FILE, DESCRIPTIONS_FILE) or old in (REGISTRY_FILE, DESCRIPTIONS_FILE):
            registry_changed = True
            continue
        if status == "R" and old and is_model_file(old):
            # The old file is gone either way; the importer keeps its model for the new file
            # when that file is not a model of its own already.
            delta.deleted.append(old)
            if is_model_file(path):
                delta.renamed.append((old, path))
                delta.entries.append(_BlobEntry(reader, commit, path))
            continue
        if not is_model_file(path):
            continue
        if status == "D":
            delta.deleted.append(path)
        else:
            delta.entries.append(_BlobEntry(reader, commit, path))
    if registry_changed:
        # A new registry can make blocks of unchanged files count (a dimension added), so every
        # model file of the commit is read again (registry changes are rare).
        changed = {entry.name for entry in delta.entries}
        for name in _git(repo, "ls-tree", "--name-only", "-z", commit).split("\x00"):
            if is_model_file(name) and name not in changed:
                delta.entries.append(_BlobEntry(reader, commit, name))
        parameters = reader.read(f"{commit}:{REGISTRY_FILE}")
        descriptions = reader.read(f"{commit}:{DESCRIPTIONS_FILE}")
        if parameters is not None:
            delta.parameters = parameters.decode("utf-8-sig", "replace")
            delta.descriptions = descriptions.decode("utf-8-sig", "replace") if descriptions is not None else None
    return delta


def last_replayed_commit(repo_label: str) -> str | None:
    """The commit the last replay of `repo_label` ended with (None if never replayed): the
    import run of each commit has `git:<repository>@<commit id>` as its source."""
    source = (
        ImportRun.objects.filter(source__startswith=f"git:{repo_label}@")
        .order_by("-id")
        .values_list("source", flat=True)
        .first()
    )
    return source.rsplit("@", 1)[1] if source else None


Step = Callable[[Commit, ImportReport], None]


def import_git_history(
    repo: Path,
    *,
    rev_from: str | None = None,
    rev_to: str | None = None,
    user: Any = None,
    after_commit: Step | None = None,
    progress: Callable[[int, int, Commit], None] | None = None,
) -> list[ImportReport]:
    """Replay the commits of the git repository `repo` (see the module docstring); one import,
    in its own transaction, per commit. Returns the reports, oldest first.

    `after_commit(commit, report)` is called after each commit's import is committed.
    Raises GitHistoryError for an unreadable repository or revision; a commit whose registry
    cannot be read aborts the replay there (ImportAborted), earlier commits staying imported."""
    repo = Path(repo)
    if not (repo / ".git").exists() and not (repo / "HEAD").exists():
        raise GitHistoryError(f"{repo}: not a git repository")
    label = repo.resolve().name
    commits = commits_of(repo, rev_from, rev_to)
    before = last_replayed_commit(label)
    ids = [c.id for c in commits]
    if rev_from is None and before in ids:
        commits = commits[ids.index(before) + 1 :]  # a later run continues where the last one ended
    reader = _BlobReader(repo)
    reports = []
    try:
        for done, commit in enumerate(commits, start=1):
            delta = delta_between(repo, reader, before, commit.id)
            report = import_index(
                Path(f"git:{label}@{commit.id}"),
                user=user,
                delta=delta,
                source_label=commit.label,
                applied_at=commit.date,
            )
            reports.append(report)
            before = commit.id
            if after_commit:
                after_commit(commit, report)
            if progress:
                progress(done, len(commits), commit)
    finally:
        reader.close()
    return reports
