"""How long a server asks us to wait: ``retry-after`` (seconds or HTTP date), ``retry-after-ms``,
OpenAI's ``x-ratelimit-reset-*`` durations and Anthropic's ``anthropic-ratelimit-*-reset``
timestamps."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?"
                       r"(?:(\d+(?:\.\d+)?)ms)?")


def parse_duration(value: str) -> float | None:
    """``"1s"``, ``"6m0s"``, ``"20ms"``, ``"1h2m"`` -> seconds."""
    match = _DURATION.fullmatch(value.strip())
    if not match or not any(match.groups()):
        return None
    h, m, s, ms = (float(g) if g else 0.0 for g in match.groups())
    return h * 3600 + m * 60 + s + ms / 1000


def _seconds_until(stamp: datetime, now: datetime) -> float:
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return max(0.0, (stamp - now).total_seconds())


def retry_after_seconds(headers: Mapping[str, str], *, now: datetime | None = None
                        ) -> float | None:
    """The wait the server asked for, in seconds, or None when it gave none."""
    now = now or datetime.now(UTC)
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    if "retry-after" in lowered:
        value = lowered["retry-after"].strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return _seconds_until(parsedate_to_datetime(value), now)
            except (TypeError, ValueError, IndexError):
                pass
    waits = []
    for key in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"):
        if key in lowered:
            parsed = parse_duration(lowered[key])
            if parsed is not None:
                waits.append(parsed)
    for key in ("anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-reset",
                "anthropic-ratelimit-input-tokens-reset",
                "anthropic-ratelimit-output-tokens-reset"):
        if key in lowered:
            try:
                stamp = datetime.fromisoformat(lowered[key].replace("Z", "+00:00"))
            except ValueError:
                continue
            waits.append(_seconds_until(stamp, now))
    return max(waits) if waits else None
