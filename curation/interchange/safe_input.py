"""Reading untrusted folders and YAML text without letting them harm the reader.

Importers (the upstream YAML database, the site's Markdown pages) read folders that come from
elsewhere: a git checkout, an upload, a shared drive. This module is the one place that walks
such a folder and turns YAML text into data, with limits applied *before* anything is built:

- `walk_folder` lists the candidate files of a folder in a stable order. Entries it refuses are
  yielded as `InputProblem`s naming the entry, so the caller reports them and goes on with the
  rest: file names that are not UTF-8, symbolic links that leave the folder or lead nowhere,
  folders named like files, anything that is not a regular file. Hidden entries are skipped.
- `FolderEntry.read_bytes` opens the file without following a symbolic link swapped in after
  the walk, refuses anything over the size limit before reading it, and reads at most that much.
- `read_text` decodes UTF-8 (a byte-order mark is allowed) and refuses NUL bytes.
- `compose` parses YAML with libyaml's event parser (PyYAML's own parser when libyaml is
  missing) and builds the node tree itself, counting as it goes: nesting deeper than the limit,
  more aliases than the limit, or aliases that would expand to more nodes than the budget (the
  "billion laughs") stop the parse at once. It also refuses more than one document, duplicate
  mapping keys (as js-yaml, the upstream site's parser, does), complex keys and tags outside
  YAML's core schema. Nodes keep each scalar's source text, its quoting style and its line.
- `load` turns a composed node into Python values with PyYAML's safe constructor (dates,
  numbers, booleans resolved as YAML 1.1 does), for callers that want typed values.

Every refusal is an `InputProblem(name, line, reason)`; nothing here raises anything else for
bad input. Pure Python: no Django, so any reader can use it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:  # libyaml's parser is about ten times faster; PyYAML's pure parser emits the same events
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]  # either loader emits the same events

# The types of YAML's safe schema; any other explicit tag (e.g. `!!python/object`) is refused.
SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in (
        "null",
        "bool",
        "int",
        "float",
        "binary",
        "timestamp",
        "str",
        "seq",
        "map",
        "omap",
        "pairs",
        "set",
        "merge",
    )
)


@dataclass(frozen=True)
class InputLimits:
    """How much untrusted input may cost. The defaults are far above any real index file
    (the largest upstream model file is about 8 kB, nested three levels, with no aliases)."""

    max_file_bytes: int = 1024 * 1024
    max_depth: int = 32
    max_aliases: int = 64
    # Nodes a document may hold once every alias is expanded (what a consumer walking the
    # data would visit): the defence against exponential alias expansion.
    max_expanded_nodes: int = 100_000
    max_folder_depth: int = 16


DEFAULT_LIMITS = InputLimits()


class InputProblem(Exception):
    """One refused input: the entry's name (relative to the folder), the line or None, the reason."""

    def __init__(self, name: str, line: int | None, reason: str):
        super().__init__(f"{name}{f', line {line}' if line else ''}: {reason}")
        self.name, self.line, self.reason = name, line, reason


# ---------------------------------------------------------------------------------------------
# Folders
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FolderEntry:
    """A file found by `walk_folder`: its name relative to the folder ('/'-separated) and the
    real path it resolves to (inside the folder)."""

    name: str
    path: Path

    def read_bytes(self, limits: InputLimits = DEFAULT_LIMITS) -> bytes:
        """The file's bytes; raises InputProblem when it is too big or cannot be read."""
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path, flags)
        except OSError as exc:
            raise InputProblem(self.name, None, f"could not be read: {exc.strerror or exc}") from None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputProblem(self.name, None, "is not a regular file; refused")
            if info.st_size > limits.max_file_bytes:
                raise InputProblem(self.name, None, _too_big(info.st_size, limits))
            data = handle.read(limits.max_file_bytes + 1)
        if len(data) > limits.max_file_bytes:  # it grew while we looked
            raise InputProblem(self.name, None, _too_big(len(data), limits))
        return data


def _too_big(size: int, limits: InputLimits) -> str:
    return f"is {_size_text(size)}; files over {_size_text(limits.max_file_bytes)} are refused"


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size} bytes"


def walk_folder(
    folder: os.PathLike | str,
    *,
    suffixes: tuple[str, ...] = (".yaml",),
    recursive: bool = False,
    limits: InputLimits = DEFAULT_LIMITS,
) -> Iterator[FolderEntry | InputProblem]:
    """The files of `folder` whose names end with one of `suffixes` (case-sensitive), sorted by
    name, as FolderEntry; refused entries as InputProblem. Raises FileNotFoundError or
    NotADirectoryError for the folder itself. Subfolders are walked only when `recursive`;
    symbolic links to folders are never followed."""
    root = Path(folder)
    if not root.exists():
        raise FileNotFoundError(f"{root}: no such folder")
    if not root.is_dir():
        raise NotADirectoryError(f"{root}: not a folder")
    yield from _walk(os.fspath(root), "", 0, os.path.realpath(root), suffixes, recursive, limits)


def _walk(directory: str, prefix: str, depth: int, real_root: str, suffixes, recursive, limits):
    byte_suffixes = tuple(s.encode() for s in suffixes)
    for raw_name, entry in _sorted_entries(directory):
        outcome = _classify_entry(entry, raw_name, prefix, real_root, byte_suffixes, recursive)
        if not isinstance(outcome, tuple):
            if outcome is not None:
                yield outcome
        elif depth + 1 > limits.max_folder_depth:
            yield InputProblem(outcome[1], None, f"is nested deeper than {limits.max_folder_depth} folders; not read")
        else:
            yield from _walk(outcome[0], outcome[1] + "/", depth + 1, real_root, suffixes, recursive, limits)


def _sorted_entries(directory: str):
    with os.scandir(os.fsencode(directory)) as scan:
        entries = [(entry.name, entry) for entry in scan]
    return sorted(entries, key=lambda item: item[0])


def _display_name(prefix: str, raw_name: bytes) -> str:
    return prefix + raw_name.decode("utf-8", "backslashreplace")


def _classify_entry(entry, raw_name: bytes, prefix, real_root, byte_suffixes, recursive):
    """FolderEntry, InputProblem, (path, name) of a subfolder to walk, or None to ignore."""
    if raw_name.startswith(b"."):
        return None
    wanted = raw_name.endswith(byte_suffixes)
    try:
        name = prefix + raw_name.decode("utf-8")
    except UnicodeDecodeError:
        if not wanted and not entry.is_dir(follow_symlinks=False):
            return None
        return InputProblem(_display_name(prefix, raw_name), None, "the file name is not valid UTF-8; rename it")
    if entry.is_symlink():
        return _classify_link(entry, name, real_root, wanted)
    if entry.is_dir(follow_symlinks=False):
        if recursive:
            return (os.fsdecode(entry.path), name)
        return InputProblem(name, None, "is a folder, not a file") if wanted else None
    if not wanted:
        return None
    if not entry.is_file(follow_symlinks=False):
        return InputProblem(name, None, "is not a regular file (a device, socket or pipe); refused")
    return FolderEntry(name, Path(os.fsdecode(entry.path)))


def _classify_link(entry, name: str, real_root: str, wanted: bool):
    target = os.path.realpath(os.fsdecode(entry.path))
    inside = target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)
    if not os.path.exists(target):
        return InputProblem(name, None, "is a symbolic link to nothing (dangling); refused") if wanted else None
    if not inside:
        return InputProblem(name, None, "is a symbolic link leading outside the folder; refused") if wanted else None
    if os.path.isdir(target):
        return InputProblem(name, None, "is a symbolic link to a folder; not followed") if wanted else None
    if not wanted:
        return None
    if not os.path.isfile(target):
        return InputProblem(name, None, "is a symbolic link to something that is not a regular file; refused")
    return FolderEntry(name, Path(target))


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def read_text(name: str, data: bytes) -> str:
    """UTF-8 text of a file (an initial byte-order mark is dropped); InputProblem if it is binary."""
    if b"\x00" in data:
        return _refuse_nul(name, data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputProblem(name, line, "not UTF-8 text (binary file?)") from None


def _refuse_nul(name: str, data: bytes):
    line = data[: data.index(b"\x00")].count(b"\n") + 1
    raise InputProblem(name, line, "binary file (contains NUL bytes), not YAML text")


# ---------------------------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------------------------


def node_line(node: Node) -> int:
    """The 1-based line where a node starts."""
    return node.start_mark.line + 1


class _Frame:
    """A collection being composed: its node, its expanded size so far, a key awaiting its value."""

    __slots__ = ("anchor", "key", "keys_seen", "node", "size")

    def __init__(self, node, anchor):
        self.node, self.anchor, self.size, self.key = node, anchor, 1, None
        self.keys_seen: dict[tuple, int] = {}


class _Composer:
    """Builds PyYAML nodes from parser events, enforcing the limits on the way."""

    def __init__(self, name: str, limits: InputLimits):
        self.name, self.limits = name, limits
        self.resolver = Resolver()
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.root: Node | None = None
        self.documents = self.aliases = self.expanded = 0

    def problem(self, event, reason: str) -> InputProblem:
        mark = getattr(event, "start_mark", None)
        return InputProblem(self.name, mark.line + 1 if mark else None, reason)

    def feed(self, event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.problem(event, "a second YAML document starts here; one document per file")
        elif isinstance(event, yaml.AliasEvent):
            self.alias(event)
        elif isinstance(event, yaml.ScalarEvent):
            self.scalar(event)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self.open(event)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            self.close()

    def count(self, event, size: int) -> None:
        self.expanded += size
        if self.expanded > self.limits.max_expanded_nodes:
            raise self.problem(
                event, f"the YAML expands to more than {self.limits.max_expanded_nodes} values (aliases); refused"
            )

    def check_tag(self, event) -> None:
        tag = event.tag
        if tag and tag != "!" and tag not in SAFE_TAGS:
            raise self.problem(event, f"the YAML tag {tag} is not allowed (only YAML's core types)")

    def alias(self, event) -> None:
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise self.problem(event, f"more than {self.limits.max_aliases} YAML aliases; refused")
        if event.anchor not in self.anchors:
            raise self.problem(event, f"the alias *{event.anchor} refers to no anchor")
        node, size = self.anchors[event.anchor]
        self.count(event, size)
        self.attach(event, node, size)

    def scalar(self, event) -> None:
        self.check_tag(event)
        tag = event.tag
        if tag is None or tag == "!":
            tag = (
                self.resolver.resolve(ScalarNode, event.value, event.implicit)
                if tag is None
                else self.resolver.DEFAULT_SCALAR_TAG
            )
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        self.count(event, 1)
        if event.anchor:
            self.anchors[event.anchor] = (node, 1)
        self.attach(event, node, 1)

    def open(self, event) -> None:
        self.check_tag(event)
        if len(self.stack) >= self.limits.max_depth:
            raise self.problem(event, f"nested more than {self.limits.max_depth} levels deep; refused")
        kind = SequenceNode if isinstance(event, yaml.SequenceStartEvent) else MappingNode
        tag = event.tag if event.tag and event.tag != "!" else self.resolver.resolve(kind, None, event.implicit)
        node = kind(tag, [], event.start_mark, event.end_mark, event.flow_style)
        self.count(event, 1)
        self.stack.append(_Frame(node, event.anchor))

    def close(self) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.node, frame.size)
        self.attach(None, frame.node, frame.size)

    def attach(self, event, node: Node, size: int) -> None:
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        parent.size += size
        if isinstance(parent.node, SequenceNode):
            parent.node.value.append(node)
        elif parent.key is None:
            parent.key = self.mapping_key(parent, node)
        else:
            parent.node.value.append((parent.key, node))
            parent.key = None

    def mapping_key(self, parent: _Frame, key: Node) -> Node:
        if not isinstance(key, ScalarNode):
            raise InputProblem(self.name, node_line(key), "a mapping key must be a plain value, not a list or mapping")
        identity = (key.tag, key.value)
        if identity in parent.keys_seen:
            raise InputProblem(
                self.name,
                node_line(key),
                f"duplicate key {key.value!r} (first on line {parent.keys_seen[identity]})",
            )
        parent.keys_seen[identity] = node_line(key)
        return key


def compose(text: str, name: str, limits: InputLimits = DEFAULT_LIMITS) -> Node | None:
    """The node tree of a one-document YAML text (None when it holds no document)."""
    composer = _Composer(name, limits)
    try:
        for event in yaml.parse(text, Loader=_EventLoader):
            composer.feed(event)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(name, exc) from None
    except yaml.YAMLError as exc:
        raise InputProblem(name, None, f"invalid YAML: {exc}") from None
    return composer.root


def _syntax_problem(name: str, exc: yaml.MarkedYAMLError) -> InputProblem:
    mark = exc.problem_mark or exc.context_mark
    where = f" (column {mark.column + 1})" if mark else ""
    if exc.context_mark and mark and exc.context_mark.line != mark.line:
        where += f"; the construct began on line {exc.context_mark.line + 1}"
    problem = " ".join(filter(None, [exc.context, exc.problem]))
    return InputProblem(name, mark.line + 1 if mark else None, f"invalid YAML: {problem}{where}")


def load(text: str, name: str, limits: InputLimits = DEFAULT_LIMITS) -> Any:
    """Python values of a one-document YAML text, typed as YAML 1.1's safe schema types them
    (numbers, booleans, dates), after `compose`'s limits; None for an empty document."""
    node = compose(text, name, limits)
    if node is None:
        return None
    try:
        return SafeConstructor().construct_document(node)
    except ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputProblem(name, mark.line + 1 if mark else None, f"invalid YAML value: {exc.problem}") from None
