"""Retrieval and cited answers over the indexed IGR corpus: one `Assistant` for CLI, API and evals."""
