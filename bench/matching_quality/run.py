"""Matching quality: the local provider against a plain TF-IDF cosine baseline, same run, same jobs.

Data (read from ``../shared/data`` next to the repository, never copied into it; see its
``SOURCES.md``): the 166 deduplicated resumes of ``resumes_updated_dataset_dedup.csv`` (25
categories), ``category_occupation_map.csv`` (category → O*NET occupations) and the O*NET
29.2 occupation, task and technology-skill files.

One job per resume category, built only from O*NET and the category name:

* title — the category as a job title ("Java Developer", "HR");
* description — the primary O*NET occupation's title and description and its core task
  statements;
* required skills — the skills the category name itself names ("Java", "SAP", "Hadoop"),
  plus the ``--required`` most particular hot technologies of the occupation (default 0);
* preferred skills — the next ``--preferred`` most particular hot technologies (default
  10). "Particular" means listed for the fewest O*NET occupations, so a posting names
  AutoCAD for civil engineers rather than Microsoft Excel, which every office lists.
  Five categories (Java, Python, DotNet, SAP, DevOps) share the primary occupation
  Software Developers, so O*NET's lists cannot tell their jobs apart; the category name can.

Candidates are the resumes: the text only (skills are found in it through the vocabulary;
no years, no location, so those components are equal for everyone). The local provider
ranks all 166 for each job. The baseline ranks them by the cosine of plain TF-IDF vectors
(scikit-learn's ``TfidfVectorizer()`` defaults, fitted on the jobs and resumes of this
run; a numpy equivalent when scikit-learn is absent) of the same job text
(``JobProfile.text``: title, description, skill names) and the resume text.

Relevance of a resume to a job: 2 same category; 1 when the two categories share an O*NET
code (primary or secondary); 0 otherwise. Printed per category and as means over the 25
jobs: P@5 (share of the top 5 in the job's category) and nDCG@10 (gain ``2^rel - 1``,
ideal ordering over all resumes). Target: the local provider's mean nDCG@10 at least
1.3× the baseline's.

Usage:  .venv/bin/python bench/matching_quality/run.py [--per-category] [--data DIR]
Exits 0 with a message when the data files are absent. Not part of the test suite.
"""

import argparse
import csv
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

DATA = REPO.parent / "shared" / "data"
RESUMES = "resumes_updated_dataset_dedup.csv"
CATEGORY_MAP = "category_occupation_map.csv"
OCCUPATIONS = "onet_29_2_occupation_data.tsv"
TASKS = "onet_29_2_task_statements.tsv"
TECHNOLOGY = "onet_29_2_technology_skills.tsv"
TARGET_RATIO = 1.3

csv.field_size_limit(10_000_000)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build_jobs(data: Path, *, n_required: int, n_preferred: int, n_tasks: int) -> tuple[list, dict[str, set[str]]]:
    """One JobProfile per category, and each category's O*NET codes."""
    from hotgigs.ai import JobProfile
    from hotgigs.ai.vocabulary import skill_display_name, skills_in_text

    mapping = read_csv(data / CATEGORY_MAP)
    occupations = {row["O*NET-SOC Code"]: row for row in read_tsv(data / OCCUPATIONS)}
    tasks: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in read_tsv(data / TASKS):
        if row["Task Type"] == "Core":
            raw = row["Incumbents Responding"]
            incumbents = int(float(raw)) if raw.replace(".", "", 1).isdigit() else 0
            tasks[row["O*NET-SOC Code"]].append((-incumbents, row["Task"]))
    technology = read_tsv(data / TECHNOLOGY)
    # How many occupations list each technology: a posting names what is particular to the
    # role ("AutoCAD" for civil engineers), not what every office uses ("Microsoft Excel").
    spread: dict[str, int] = defaultdict(int)
    for row in technology:
        spread[row["Example"]] += 1
    hot: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in technology:
        if row["Hot Technology"] == "Y":
            hot[row["O*NET-SOC Code"]].append((spread[row["Example"]], row["Example"]))

    jobs = []
    codes: dict[str, set[str]] = {}
    for row in mapping:
        category, primary = row["category"], row["onet_soc_primary"]
        codes[category] = {c for c in (primary, row["onet_soc_secondary"]) if c}
        occupation = occupations[primary]
        core = [text for _, text in sorted(tasks[primary])[:n_tasks]]
        named = [(skill_display_name(key), 3, True) for key in skills_in_text(category)]
        particular = [name for _, name in sorted(hot[primary])]
        required = particular[:n_required]
        preferred = particular[n_required : n_required + n_preferred]
        skills = [*named, *((name, 2, True) for name in required), *((name, 2, False) for name in preferred)]
        description = "\n".join([occupation["Title"], occupation["Description"], *core])
        jobs.append((category, JobProfile.build(title=category, description=description, skills=skills)))
    return jobs, codes


def relevance(job_category: str, resume_category: str, codes: dict[str, set[str]]) -> int:
    if job_category == resume_category:
        return 2
    return 1 if codes[job_category] & codes.get(resume_category, set()) else 0


def ndcg_at(order: list[int], rels: list[int], k: int) -> float:
    def dcg(values: list[int]) -> float:
        return sum((2**rel - 1) / math.log2(rank + 2) for rank, rel in enumerate(values[:k]))

    ideal = dcg(sorted(rels, reverse=True))
    return dcg([rels[i] for i in order]) / ideal if ideal else 0.0


def precision_at(order: list[int], rels: list[int], k: int) -> float:
    return sum(1 for i in order[:k] if rels[i] == 2) / k


def tfidf_cosines(job_texts: list[str], resume_texts: list[str]):  # type: ignore[no-untyped-def]
    """jobs × resumes cosine of plain TF-IDF vectors (scikit-learn defaults), and what computed it."""
    import numpy as np

    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        TfidfVectorizer = None
    if TfidfVectorizer is not None:
        vectors = TfidfVectorizer().fit_transform(job_texts + resume_texts)
        jobs, resumes = vectors[: len(job_texts)], vectors[len(job_texts) :]
        return (jobs @ resumes.T).toarray(), "scikit-learn TfidfVectorizer()"
    # The same definition by hand: \b\w\w+\b tokens, raw counts, smooth idf, L2 rows.
    import re

    pattern = re.compile(r"(?u)\b\w\w+\b")
    docs = [pattern.findall(text.lower()) for text in job_texts + resume_texts]
    vocab: dict[str, int] = {}
    for doc in docs:
        for token in doc:
            vocab.setdefault(token, len(vocab))
    counts = np.zeros((len(docs), len(vocab)))
    for row, doc in enumerate(docs):
        for token in doc:
            counts[row, vocab[token]] += 1
    df = (counts > 0).sum(axis=0)
    weights = counts * (np.log((1 + len(docs)) / (1 + df)) + 1)
    weights /= np.maximum(np.linalg.norm(weights, axis=1, keepdims=True), 1e-12)
    return weights[: len(job_texts)] @ weights[len(job_texts) :].T, "numpy TF-IDF (scikit-learn's definition)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help=f"data folder (default {DATA})")
    parser.add_argument("--per-category", action="store_true", help="print a row per category")
    parser.add_argument("--required", type=int, default=0, help="particular hot technologies required per job")
    parser.add_argument("--preferred", type=int, default=10, help="further hot technologies preferred per job")
    parser.add_argument("--tasks", type=int, default=12, help="core task statements per job description")
    args = parser.parse_args()

    missing = [
        name for name in (RESUMES, CATEGORY_MAP, OCCUPATIONS, TASKS, TECHNOLOGY) if not (args.data / name).exists()
    ]
    if missing:
        print(f"Matching quality benchmark skipped: {', '.join(missing)} not found in {args.data}.")
        print("The resumes are never copied into the project; put the shared data folder there (see SOURCES.md).")
        return 0

    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")
    # This checkout's key, as `make run` uses (the settings refuse to start without one).
    (Path(__file__).resolve().parents[2] / "var").mkdir(exist_ok=True)
    os.environ.setdefault("DJANGO_SECRET_KEY_FILE", str(Path(__file__).resolve().parents[2] / "var" / "secret-key"))
    django.setup()
    import numpy as np

    from hotgigs.ai import CandidateMatrix, CandidateProfile
    from hotgigs.ai.providers.local import LocalProvider

    resumes = read_csv(args.data / RESUMES)
    jobs, codes = build_jobs(args.data, n_required=args.required, n_preferred=args.preferred, n_tasks=args.tasks)
    started = time.perf_counter()
    profiles = [CandidateProfile.build(resume_text=row["resume_text"], id=i) for i, row in enumerate(resumes)]
    matrix = CandidateMatrix.from_profiles(profiles)
    build_seconds = time.perf_counter() - started
    provider = LocalProvider()
    baseline, baseline_name = tfidf_cosines([job.text for _, job in jobs], [row["resume_text"] for row in resumes])

    rows = []
    rank_seconds = 0.0
    for j, (category, job) in enumerate(jobs):
        rels = [relevance(category, row["category"], codes) for row in resumes]
        started = time.perf_counter()
        local_order = [int(i) for i in provider.rank(job, matrix).top(None)]
        rank_seconds += time.perf_counter() - started
        # Ties (equal cosines) break by resume order, as the local ranking does.
        base_order = [int(i) for i in np.lexsort((np.arange(len(resumes)), -baseline[j]))]
        rows.append(
            (
                category,
                sum(1 for r in rels if r == 2),
                precision_at(local_order, rels, 5),
                ndcg_at(local_order, rels, 10),
                precision_at(base_order, rels, 5),
                ndcg_at(base_order, rels, 10),
            )
        )

    print(f"Matching quality: {len(jobs)} jobs (one per category) × {len(resumes)} resumes from {args.data}")
    print(f"local provider {provider.model_version}; baseline {baseline_name}")
    print(f"candidate matrix built in {build_seconds:.2f}s; {len(jobs)} rankings in {rank_seconds * 1000:.0f} ms")
    if args.per_category:
        print(f"\n{'category':<28}{'n':>4}{'local P@5':>11}{'nDCG@10':>9}{'tfidf P@5':>11}{'nDCG@10':>9}")
        for category, n, lp, ln, bp, bn in rows:
            print(f"{category:<28}{n:>4}{lp:>11.2f}{ln:>9.3f}{bp:>11.2f}{bn:>9.3f}")
    mean = [sum(row[i] for row in rows) / len(rows) for i in range(2, 6)]
    ratio = mean[1] / mean[3] if mean[3] else math.inf
    print(f"\n{'':<22}{'P@5':>8}{'nDCG@10':>10}")
    print(f"{'local provider':<22}{mean[0]:>8.3f}{mean[1]:>10.3f}")
    print(f"{'TF-IDF cosine':<22}{mean[2]:>8.3f}{mean[3]:>10.3f}")
    print(f"{'ratio local/baseline':<22}{mean[0] / mean[2] if mean[2] else math.inf:>8.2f}{ratio:>10.2f}")
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(f"\nnDCG@10 ratio {ratio:.2f}× {verdict} the target of {TARGET_RATIO}× the baseline.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
