"""How far two fits of the conduct recipe land apart when only the initialisation seed differs.

    .venv/bin/python benchmarks/conduct_seed_spread.py INIT_SEED [WORKDIR]

Refits 2.3.0's recipe (`threadwise train toxicity`'s data and settings, its batch order) with the weights'
initialisation and dropout drawn from INIT_SEED, exports and calibrates the fit on the development split, and
compares it with the shipped artefact there (benchmarks/compare_conduct_models.py): each task's dev ROC-AUC on every
dev row and on the real sources'. Nothing shipped changes; no evaluation set is read. The spread sizes the margin a
rule comparing a candidate fit with the shipped one can honestly ask for.
"""

from __future__ import annotations

import sys
from pathlib import Path

from threadwise.analysers.heads import heads_dir
from threadwise.locations import cache_dir
from threadwise.train import conduct, shared_data_dir
from threadwise.train.conduct_export import export
from threadwise.train.toxicity import staging_meta


def main(seed: int, workdir: Path) -> None:
    conduct.INIT_SEED = seed
    weights, _ = conduct.run(shared_data_dir(), workdir)
    staging = weights.parent / "artefact"
    export(weights, staging)
    staging_meta(staging)  # placeholder thresholds: the comparison's ROC-AUCs need none
    sys.path.insert(0, str(Path(__file__).parent))
    from compare_conduct_models import main as compare

    compare(staging, heads_dir() / "conduct")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    main(int(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else cache_dir() / "conduct-seed-spread")
