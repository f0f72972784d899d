"""Persona options as the user typed them, checked the one way the app shows an invalid
value: the field, the rule in plain words (with the value given) and the error code."""

from __future__ import annotations

from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.errors import InvalidValue, ValidationError, invalid_values
from persona_tui.core.models.options import PersonaConfig


class InvalidOptions(ValidationError):
    """One or more options break a rule; ``invalid`` lists each (field, rule, code)."""

    def __init__(self, invalid: list[InvalidValue]) -> None:
        super().__init__("; ".join(v.describe() for v in invalid),
                         field=invalid[0].field if invalid else None)
        self.invalid = invalid


def _number(field: str, text: str, kind: type, rule: str) -> tuple[object, InvalidValue | None]:
    try:
        return kind(text), None
    except ValueError:
        return None, InvalidValue(field, f"{rule} (got {text[:40]!r})")


#: generation controls as typed: field -> (type, rule when it is not one)
CONTROLS = {"max_tokens": (int, "must be a whole number"),
            "temperature": (float, "must be a number"), "seed": (int, "must be a whole number")}


def persona_config(count: str, budget: str = "", *,
                   controls: dict[str, str] | None = None) -> PersonaConfig:
    """``PersonaConfig`` from the form's text; raises :class:`InvalidOptions`. A control
    left blank stays unset (config.toml's default applies)."""
    invalid: list[InvalidValue] = []
    count_value, problem = _number("count", count.strip() or "3", int, "must be a whole number")
    invalid += [problem] if problem else []
    budget_value = None
    if budget.strip():
        budget_value, problem = _number("budget", budget.strip(), float, "must be a number")
        invalid += [problem] if problem else []
    given: dict[str, object] = {}
    for name, text in (controls or {}).items():
        if text.strip():
            kind, rule = CONTROLS[name]
            given[name], problem = _number(name, text.strip(), kind, rule)
            invalid += [problem] if problem else []
    if invalid:
        raise InvalidOptions(invalid)
    try:
        return PersonaConfig(count=count_value, budget=budget_value, **given)
    except PydanticValidationError as exc:
        raise InvalidOptions(invalid_values(exc)) from None


__all__ = ["InvalidOptions", "InvalidValue", "persona_config"]
