"""Every resource the payments package declares, found by looking, so adding one is adding its module.

Modules are imported by name here (importlib) on purpose: the one place that
does it, so that a new resource touches no list kept by hand. Each module that
holds `RESOURCE` (or `RESOURCES`) declares resources; one that holds a Blueprint `bp` adds routes.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

from flask import Blueprint

from .catalogue import TYPES
from .resource import Resource


@cache
def _modules() -> tuple[ModuleType, ...]:
    package = importlib.import_module(__package__ or "simulators.payments")
    found = [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
        if not info.ispkg
    ]
    return tuple(sorted(found, key=lambda module: module.__name__))


def declared() -> tuple[Resource, ...]:
    """Every resource of the package, by module name: a module's `RESOURCE`, or its `RESOURCES` (charges and
    their refunds live in one module)."""
    found: list[Resource] = []
    for module in _modules():
        named = getattr(module, "RESOURCES", (getattr(module, "RESOURCE", None),))
        found += [each for each in named if isinstance(each, Resource)]
    return tuple(found)


def blueprints() -> tuple[Blueprint, ...]:
    """Every module's Blueprint `bp`, by module name."""
    return tuple(module.bp for module in _modules() if isinstance(getattr(module, "bp", None), Blueprint))


def event_types() -> tuple[str, ...]:
    """Every event type the payment system may send: the catalogue's, then each declared resource's (a type
    given twice shows twice, for a test to find)."""
    return (*TYPES, *(event for resource in declared() for event in resource.events))
