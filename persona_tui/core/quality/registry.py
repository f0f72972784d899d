"""A registry of quality metrics.

A metric is a class with ``name`` and ``compute(personas) -> float`` (0..1, higher is better).
Built-ins register themselves on import; user metrics register with ``@register_metric`` or
come from installed packages through the ``persona_tui.metrics`` entry-point group, or from a
``module:attribute`` path (``load_metric_plugin``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, Protocol

from persona_tui.core.errors import ConfigurationError


class Metric(Protocol):
    name: str

    def compute(self, personas: list, **context: Any) -> float: ...


class MetricRegistry:
    def __init__(self) -> None:
        self._metrics: dict[str, type] = {}

    def register(self, name: str, cls: type) -> type:
        if not callable(getattr(cls, "compute", None)):
            raise TypeError(f"metric {name!r} needs a compute(personas) method")
        cls.name = name
        self._metrics[name] = cls
        return cls

    def get(self, name: str) -> Metric:
        self._ensure_builtins()
        try:
            return self._metrics[name]()
        except KeyError:
            raise ConfigurationError(f"unknown quality metric '{name}'",
                                     hint=f"Known metrics: {', '.join(self.names())}.") from None

    def names(self) -> list[str]:
        self._ensure_builtins()
        return sorted(self._metrics)

    def score(self, personas: list, names: list[str] | None = None, **context: Any
              ) -> dict[str, float]:
        return {name: round(self.get(name).compute(personas, **context), 4)
                for name in (names or self.names())}

    def load_entry_points(self) -> list[str]:
        loaded = []
        for entry in entry_points(group="persona_tui.metrics"):
            self.register(entry.name, entry.load())
            loaded.append(entry.name)
        return loaded

    @staticmethod
    def _ensure_builtins() -> None:
        importlib.import_module("persona_tui.core.quality.metrics")


registry = MetricRegistry()


def register_metric(name: str) -> Callable[[type], type]:
    """Class decorator: ``@register_metric("tone")``."""

    def decorate(cls: type) -> type:
        return registry.register(name, cls)

    return decorate


def get_metric(name: str) -> Metric:
    return registry.get(name)


def load_metric_plugin(path: str, name: str | None = None) -> str:
    """Register the metric class at ``module:attribute`` (e.g. from config.toml)."""
    module_name, _, attribute = path.partition(":")
    cls = getattr(importlib.import_module(module_name), attribute)
    metric_name = name or getattr(cls, "name", None) or attribute
    registry.register(metric_name, cls)
    return metric_name


__all__ = ["Metric", "MetricRegistry", "get_metric", "load_metric_plugin", "register_metric",
           "registry"]
