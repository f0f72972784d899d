"""``persona-tui models``: the Ollama comparison without the UI.

Installed models joined with qualification records: tested, untested, and tested models that
are no longer installed. Exit status 0, or 1 when Ollama cannot be reached (with how to start
it).
"""

from __future__ import annotations

import json
import sys

from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.core.utils.sanitize import strip_control
from persona_tui.services.context import AppContext
from persona_tui.services.ollama import OllamaService


def _size(size: int | None) -> str:
    return f"{size / 1e9:.1f} GB" if size else ""


def run_models(*, json_output: bool = False, context: AppContext | None = None) -> int:
    service = OllamaService(context or AppContext.default())  # the Ollama screen's
    url = service.base_url()
    result = run_sync(service.compare())
    if json_output:
        print(json.dumps({"base_url": url, **result.to_dict()}, indent=2))
        return 0 if result.reachable else 1
    if not result.reachable:
        print(f"{strip_control(result.error or '')}\n  hint: {strip_control(result.hint or '')}",
              file=sys.stderr)
        if result.tested_models:
            print(f"tested earlier: {', '.join(result.tested_models)}")
        return 1
    header = f"{'model':<28} {'size':>8} {'family':<10} {'params':<7} {'quant':<8} {'status':<9}"
    print(header + "  json schema  ttft   tok/s")
    rows = [(name, "tested" if name in result.records else "untested")
            for name in result.available_models]
    rows += [(name, "missing") for name in result.missing_models]
    for name, status in rows:
        info = result.details.get(name)
        record = result.records.get(name)
        line = (f"{strip_control(name)[:28]:<28} {_size(info.size_bytes if info else None):>8} "
                f"{(info.family or '') if info else '':<10} "
                f"{(info.parameter_size or '') if info else '':<7} "
                f"{(info.quantization or '') if info else '':<8} {status:<9}")
        if record:
            line += (f"  {'yes' if record.json_valid else 'no':<4} "
                     f"{'yes' if record.schema_valid else 'no':<6} "
                     f"{record.ttft_s or 0:5.2f}s {record.tokens_per_s or 0:6.1f}")
        print(line)
    if result.has_untested_models:
        print(f"\n{len(result.untested_models)} untested model(s): qualify them from the app "
              "or with persona_tui.core.discovery.ollama_models.qualify_model().")
    return 0
