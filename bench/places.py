"""Typed places -> area, on two corpora side by side: our own (issue 12: bench/place_corpus.py, generated and
hand-written, the one the parser is tuned on) and an unseen one (issue 28: bench/place_corpus_unseen.py, names from
another register, typos as thumbs make them, and bench/places_handwritten_unseen.tsv; reported, never tuned on).
Routing needs the regency or city right, so each text counts as:

- right: one area, in the regency or city the text means;
- asked: the bot asks, and the right regency is among the choices;
- asked wrongly: the bot asks, and none of the choices is in the right regency (the citizen types the place again);
- confidently wrong: one area, in another regency, and no question;
- no answer: no area deeper than the province (the citizen is asked again, or the report goes to a hub).

Prints the shares per corpus, then per form and per kind of typo, and p50/p99 of one match. Targets: our own
corpus right >= 97 %, right or asked >= 99 %; the unseen one right >= 95 %, right or asked >= 98 %; confidently
wrong <= 0.3 % on both; p50 < 1 ms, p99 < 5 ms.
Usage: python bench/places.py [generated-count] [unseen-count]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import place_corpus_unseen as unseen  # noqa: E402
from bench.place_corpus import Sample, generated, handwritten  # noqa: E402
from routing.places import PlaceMatch, PlaceMatcher  # noqa: E402
from routing.regions import REGENCY, Hierarchy, Region  # noqa: E402

OUTCOMES = ("right", "asked", "asked wrongly", "confidently wrong", "no answer")


def outcome(match: PlaceMatch, sample: Sample) -> str:
    regency = sample.regency_code()

    def in_regency(region: Region) -> bool:
        return region.level >= REGENCY and region.ancestor_code(REGENCY) == regency

    if match.alternatives:
        leads_there = any(in_regency(r) or regency.startswith(r.code + ".") for r in match.alternatives)
        return "asked" if leads_there else "asked wrongly"  # every choice offered is wrong
    if match.region is None or match.region.level < REGENCY:
        wrong_province = match.region is not None and not regency.startswith(match.region.code + ".")
        return "confidently wrong" if wrong_province else "no answer"
    return "right" if in_regency(match.region) else "confidently wrong"


def _line(label: str, outcomes: Counter) -> str:
    total = sum(outcomes.values())
    shares = "  ".join(f"{name} {outcomes[name] / total:6.1%}" for name in OUTCOMES)
    both = (outcomes["right"] + outcomes["asked"]) / total
    return f"  {label:52} {total:5}  {shares}  right or asked {both:6.1%}"


@dataclass
class Tally:
    overall: Counter = field(default_factory=Counter)
    by_form: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_typo: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    wrong: list[str] = field(default_factory=list)


def tally(matcher: PlaceMatcher, samples: list[Sample], timings: list[float]) -> Tally:
    counts = Tally()
    for sample in samples:
        started = time.perf_counter()
        match = matcher.match(sample.text)
        timings.append(time.perf_counter() - started)
        result = outcome(match, sample)
        counts.overall[result] += 1
        counts.by_form[sample.form][result] += 1
        counts.by_typo[sample.typo or "no typo"][result] += 1
        if result == "confidently wrong" and len(counts.wrong) < 8:
            counts.wrong.append(f"{sample.text!r} -> {match.region.name if match.region else match.alternatives}")
    return counts


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2400
    unseen_count = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
    hierarchy = Hierarchy.from_lokal()
    matcher = PlaceMatcher(hierarchy)
    corpora = {
        "own, generated": generated(hierarchy, count), "own, hand-written": handwritten(hierarchy),
        "unseen, generated": unseen.generated(hierarchy, unseen_count),
        "unseen, hand-written": handwritten(hierarchy, unseen.HANDWRITTEN),
    }
    timings: list[float] = []
    tallies = {name: tally(matcher, samples, timings) for name, samples in corpora.items()}
    print("corpus" + " " * 50 + "texts")
    for name, counts in tallies.items():
        print(_line(name, counts.overall))
    for name in ("own, generated", "unseen, generated"):
        print(f"{name}, by form and by typo:")
        for label, outcomes in sorted(tallies[name].by_form.items()):
            print(_line(f"  {label}", outcomes))
        for label, outcomes in sorted(tallies[name].by_typo.items()):
            print(_line(f"  typo: {label}", outcomes))
    print("unseen, the classes our own corpus hid (issue 28):")
    for label, samples in unseen.classes(hierarchy).items():
        print(_line(f"  {label}", tally(matcher, samples, []).overall))
    ordered = sorted(timings)
    print(f"one match: p50 {statistics.median(ordered) * 1000:.3f} ms, p99 {ordered[int(len(ordered) * 0.99)] * 1000:.3f} ms "
          f"({len(ordered)} texts)")
    for name, counts in tallies.items():
        if counts.wrong:
            print(f"confidently wrong ({name}), for example:")
            for example in counts.wrong:
                print(f"  {example}")


if __name__ == "__main__":
    main()
