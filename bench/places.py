"""Typed places -> area, on our own corpus (issue 12): generated citizen-style texts and hand-written ones
(bench/place_corpus.py). Routing needs the regency or city right, so each text counts as:

- right: one area, in the regency or city the text means;
- asked: the bot asks, and the right regency is among the choices;
- confidently wrong: one area, in another regency, and no question;
- short: no area deeper than the province (the citizen would be asked again, or the report goes to a hub).

Prints the shares overall, per form and per kind of typo, and p50/p99 of one match. Targets (issue 12):
right >= 97 %, right or asked >= 99 %, confidently wrong <= 0.3 %, p50 < 1 ms, p99 < 5 ms.
Usage: python bench/places.py [generated-count]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.place_corpus import Sample, generated, handwritten  # noqa: E402
from routing.places import PlaceMatch, PlaceMatcher  # noqa: E402
from routing.regions import REGENCY, Hierarchy, Region  # noqa: E402

OUTCOMES = ("right", "asked", "confidently wrong", "short")


def outcome(match: PlaceMatch, sample: Sample) -> str:
    regency = sample.regency_code()

    def in_regency(region: Region) -> bool:
        return region.level >= REGENCY and region.ancestor_code(REGENCY) == regency

    if match.alternatives:
        leads_there = any(in_regency(r) or regency.startswith(r.code + ".") for r in match.alternatives)
        return "asked" if leads_there else "confidently wrong"  # every choice offered is wrong
    if match.region is None or match.region.level < REGENCY:
        wrong_province = match.region is not None and not regency.startswith(match.region.code + ".")
        return "confidently wrong" if wrong_province else "short"
    return "right" if in_regency(match.region) else "confidently wrong"


def _line(label: str, outcomes: Counter) -> str:
    total = sum(outcomes.values())
    shares = "  ".join(f"{name} {outcomes[name] / total:6.1%}" for name in OUTCOMES)
    both = (outcomes["right"] + outcomes["asked"]) / total
    return f"  {label:38} {total:5}  {shares}  right or asked {both:6.1%}"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2400
    hierarchy = Hierarchy.from_lokal()
    matcher = PlaceMatcher(hierarchy)
    corpus = {"generated": generated(hierarchy, count), "hand-written": handwritten(hierarchy)}
    timings: list[float] = []
    wrong_examples: list[str] = []
    for name, samples in corpus.items():
        by_form: dict[str, Counter] = defaultdict(Counter)
        by_typo: dict[str, Counter] = defaultdict(Counter)
        overall = Counter()
        for sample in samples:
            started = time.perf_counter()
            match = matcher.match(sample.text)
            timings.append(time.perf_counter() - started)
            result = outcome(match, sample)
            overall[result] += 1
            by_form[sample.form][result] += 1
            by_typo[sample.typo or "no typo"][result] += 1
            if result == "confidently wrong" and len(wrong_examples) < 12:
                wrong_examples.append(f"{sample.text!r} -> {match.region.name if match.region else match.alternatives}")
        print(_line(f"{name}, all", overall))
        for label, outcomes in sorted(by_form.items()) if name == "generated" else []:
            print(_line(f"  {label}", outcomes))
        for label, outcomes in sorted(by_typo.items()) if name == "generated" else []:
            print(_line(f"  typo: {label}", outcomes))
    ordered = sorted(timings)
    print(f"one match: p50 {statistics.median(ordered) * 1000:.3f} ms, p99 {ordered[int(len(ordered) * 0.99)] * 1000:.3f} ms "
          f"({len(ordered)} texts)")
    print("confidently wrong, for example:")
    for example in wrong_examples:
        print(f"  {example}")


if __name__ == "__main__":
    main()
