"""Corpus-scale analysis: streamed, partitioned, resumable; local processes or a Dask cluster.

See docs/BATCH.md for the inputs, the output schema and how resume works.
"""

from threadwise.batch.run import BatchOptions, BatchSummary, run_batch

__all__ = ["BatchOptions", "BatchSummary", "run_batch"]
