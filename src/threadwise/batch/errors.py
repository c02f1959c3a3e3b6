"""Coded errors of batch runs (TW-E110 to TW-E119).

A bad *row* never stops a run: it goes to the errors file with its line and reason (``CorruptRow``'s
code). These exceptions are for what the run cannot go on without: unreadable inputs, an output that
belongs to another run, a resume against changed input or settings, a scheduler that cannot be reached.
"""

from __future__ import annotations

from threadwise.errors import ThreadwiseError


class BatchError(ThreadwiseError):
    code = "TW-E110"


class BatchInputError(BatchError):
    code = "TW-E110"
    fix = "give JSONL/CSV/Parquet comment files (columns id, thread_id, text) or a folder of pages"


class OutputExists(BatchError):
    code = "TW-E111"
    fix = "pass --resume to continue that run, or choose another -o (or remove the folder)"


class InputChanged(BatchError):
    code = "TW-E112"
    fix = "resume only over the very same input files; start a new run (another -o) for changed input"


class SettingsChanged(BatchError):
    code = "TW-E113"
    fix = "resume with the settings of the first run (tier, analysers, partition size), or use another -o"


class InvalidBatchOption(BatchError):
    code = "TW-E114"


class SchedulerUnavailable(BatchError):
    code = "TW-E115"
    fix = "check the scheduler address (tcp://HOST:PORT) and that `dask scheduler` runs there"


class MissingArticle(BatchError):
    """Reported in the errors file, never raised: the thread's comments run without the article."""

    code = "TW-E116"
    fix = "add the article (id = the thread_id) to the --articles file to get article-aware findings"


class ManifestCorrupt(BatchError):
    code = "TW-E117"
    fix = "the output folder's manifest.json is unreadable; start again with another -o"


class PartitionFailed(BatchError):
    code = "TW-E118"
    fix = "run again with --resume: finished partitions are kept and the failed one is redone"


class CorruptRow(BatchError):
    """Reported in the errors file, never raised: the row is skipped, the run goes on."""

    code = "TW-E119"
    fix = "correct the row (valid JSON object with id, thread_id and a text string) and run again"
