"""A process killed in the middle of writing leaves a consistent, gap-free change log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from desktop_app.store.store import Store
from tests.conftest import COMMUNE

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from desktop_app.store.store import Store
    from desktop_app.store.repositories.values import ValueWrite

    store = Store.open(Path(sys.argv[1]), user="canbo")
    village = sys.argv[2]
    i = 0
    while True:
        i += 1
        store.values.set_value(ValueWrite(sys.argv[3], village, "2019", "so_ho", 100 + i))
        if i == 50:
            print("going", flush=True)
    """
)


def test_sigkill_in_the_middle_of_writing(commune_store, tmp_path: Path):
    village = commune_store.villages.add(COMMUNE, "Bản Hua Tát")
    path = commune_store.path
    commune_store.close()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), village.id, COMMUNE],
        stdout=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"going"
    time.sleep(0.3)  # let it write some more, then pull the plug mid-stream
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    with Store.open(path, user="canbo") as store:
        node = store.node
        seqs = [
            r[0]
            for r in store.db.execute_sql(
                "SELECT seq FROM change WHERE origin = ? AND epoch = ? ORDER BY seq",
                (node.node_id, node.epoch),
            )
        ]
        assert len(seqs) > 50
        assert seqs == list(range(1, len(seqs) + 1))
        # every change has its audit entry, and the row holds the last change's version
        orphans = store.db.execute_sql(
            "SELECT count(*) FROM change c LEFT JOIN audit a ON a.change_id = c.id"
            " WHERE a.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
        last = store.db.execute_sql(
            "SELECT seq, state FROM change WHERE entity = 'value' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        stored = store.values.get(village.id, "2019", "so_ho")
        assert stored is not None
        assert stored.version == f"{node.node_id}/{node.epoch}/{last[0]}"
        assert f'"value":"{stored.value}"' in last[1]
        # and writing goes on from the next seq
        from desktop_app.store.repositories.values import ValueWrite

        ref = store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 1))
        assert ref is not None and ref.version.endswith(f"/{len(seqs) + 1}")
