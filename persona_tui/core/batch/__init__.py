"""Large studies on the vendors' batch engines (and vLLM's ``run_batch``).

One job format — OpenAI batch JSONL, each line's ``custom_id`` naming the study, chunk and
step — translated per engine by a small adapter. The prompts are the generation pipeline's
own, and results are parsed and checked by running that same pipeline over the stored
replies, so a batch study ends exactly as an interactive run would. We write no scheduler:
the engines queue, run and expire requests; we submit, poll when asked, and collect.
"""

#: the providers with a batch engine (``vllm-file``: a file for ``vllm run-batch``)
BATCH_PROVIDERS = ("openai", "anthropic", "gemini", "vllm-file")
