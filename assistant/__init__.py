"""Retrieval and cited answers over the indexed IGR corpus.

One `Assistant` serves the CLI, the API and the evals.
"""
