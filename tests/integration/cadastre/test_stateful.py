"""The cadastre's model-based test (see stateful.py): bounded here on every backend;
MAADAN_STATEFUL_EXAMPLES and MAADAN_STATEFUL_STEPS run it longer (bench/stateful.py measures it)."""

import time

from hypothesis.stateful import run_state_machine_as_test

from maadan.config import load_settings
from maadan.store.database import create_db_engine
from tests.integration.cadastre.stateful import make_machine, run_settings


def test_random_sequences_keep_the_register_fair(seeded_copy):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    machine = make_machine(engine)
    start = time.perf_counter()
    try:
        run_state_machine_as_test(machine, settings=run_settings(examples=6, steps=30))
    finally:
        engine.dispose()
    minutes = (time.perf_counter() - start) / 60
    print(f"\nstateful [{seeded_copy.backend}]: {machine.steps} steps, {machine.steps / minutes:,.0f} steps/minute, "
          f"{machine.checkpoints} checkpoints signed")
    assert machine.steps > 0 and machine.checkpoints > 0
