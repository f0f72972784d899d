"""vLLM on the user's own GPUs: ``vllm run-batch -i requests.jsonl -o results.jsonl``.

Nothing is sent anywhere. The request file is the job format itself (OpenAI batch JSONL);
vLLM writes one output line per request in OpenAI's batch output shape (``custom_id``,
``response.status_code``, ``response.body``, ``error``), which we read back like OpenAI's.
"""

from __future__ import annotations

from pathlib import Path

from persona_tui.core.batch.engines.base import BatchEngine, EngineStatus, Results
from persona_tui.core.batch.engines.openai import read_output_lines
from persona_tui.core.errors import DataError


class VLLMFileEngine(BatchEngine):
    name = "vllm-file"
    local = True
    max_requests = 10_000_000
    max_bytes = 1 << 40

    async def submit(self, lines, *, model, job_id):
        return None, EngineStatus("in_progress", len(lines))

    async def status(self, engine):
        return EngineStatus("completed" if engine.get("results_path") else "in_progress")

    async def cancel(self, engine):
        return EngineStatus("cancelled")

    async def results(self, engine):
        path = Path(engine["results_path"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read the vLLM results file {path}: "
                            f"{exc.strerror or type(exc).__name__}", path=str(path),
                            hint="Pass the file `vllm run-batch -o` wrote.") from None
        outcomes, warnings = read_output_lines(self, data, f"vLLM results {path.name}")
        return Results(outcomes, {"results.jsonl": data}, warnings)
