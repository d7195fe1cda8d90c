"""Benchmarks printed by `manage.py benchmark`. Each module here registers functions with
`@benchmark`; a function returns a dict of figures (name -> number) and cleans up after itself.

Figures are measured, never asserted: machines are noisy, so targets are read by people.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

BENCHMARKS: list["Benchmark"] = []


@dataclass
class Benchmark:
    name: str
    func: Callable[..., dict]
    description: str


def benchmark(name: str, description: str = ""):
    def register(func):
        BENCHMARKS.append(Benchmark(name, func, description or (func.__doc__ or "").strip()))
        return func

    return register
