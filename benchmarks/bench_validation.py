"""What the one number check (plumbing.checked.CheckedModel) costs a scenario validation.

Run: python benchmarks/bench_validation.py
Every batch point, calibration point and advice move validates a whole scenario once
(`simulator.scenario.overrides.apply`); this times that validation on the shipped default scenario
with the check as shipped and with its per-field walk switched off, side by side, in
alternating rounds (median of 5 rounds of 200 validations each).
"""

import statistics
import time
import tomllib
from pathlib import Path

import plumbing.checked
from simulator.scenario import Scenario
from simulator.scenario.overrides import apply_overrides

DOCUMENT = tomllib.loads((Path(__file__).parents[1] / "data" / "scenarios" / "default.toml")
                         .read_text(encoding="utf-8"))


def per_validation_ms(count: int = 200) -> float:
    start = time.perf_counter()
    for i in range(count):
        overrides = {"parameters.bass_p_annual": 0.01 + i * 1e-5}
        apply_overrides(DOCUMENT, overrides, "default", Scenario)
    return (time.perf_counter() - start) / count * 1000


def main() -> None:
    checked, walk = [], plumbing.checked._refuse_lax
    unchecked = []
    per_validation_ms(20)  # warm caches (countries, regions)
    for _ in range(5):
        checked.append(per_validation_ms())
        plumbing.checked._refuse_lax = lambda *args, **kwargs: None
        unchecked.append(per_validation_ms())
        plumbing.checked._refuse_lax = walk
    print(f"scenario validation, number check on : {statistics.median(checked):.2f} ms")
    print(f"scenario validation, number walk off : {statistics.median(unchecked):.2f} ms")


if __name__ == "__main__":
    main()
