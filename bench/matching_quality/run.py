"""Matching quality: the local provider against TF-IDF, embedding and hybrid baselines, same run, same jobs.

Data (read from ``../shared/data`` next to the repository, never copied into it; see its
``SOURCES.md``): the 166 deduplicated resumes of ``resumes_updated_dataset_dedup.csv`` (25
categories), ``category_occupation_map.csv`` (category → O*NET occupations) and the O*NET
29.2 occupation, task and technology-skill files.

One job per resume category, built only from O*NET and the category name, in three
**variants** that differ in the job title (all printed in one run):

* ``category`` — the category as a job title ("Java Developer", "HR"); the description
  starts with the O*NET title (the bench as it was: titles that name the label);
* ``onet`` — the primary O*NET occupation's title ("Software Developers", shared by five
  categories), as real postings are more often titled;
* ``none`` — no title at all, and no occupation title in the description either.

In every variant: description — the primary occupation's description and its core task
statements; required skills — the skills the category name itself names ("Java", "SAP",
"Hadoop": the one thing a posting for a Java developer would say that O*NET's Software
Developers does not), plus the ``--required`` most particular hot technologies of the
occupation (default 0); preferred skills — the next ``--preferred`` (default 10).
"Particular" means listed for the fewest O*NET occupations, so a posting names AutoCAD for
civil engineers rather than Microsoft Excel, which every office lists.

Candidates are the resumes: the text only (skills found in it through the vocabulary; no
years, no location, so those components are equal for everyone). Methods, per variant:

* ``TF-IDF`` baseline — cosine of plain TF-IDF vectors (scikit-learn's ``TfidfVectorizer()``
  defaults, fitted on the jobs and resumes of the run; a numpy equivalent without it) of the
  job text (``JobProfile.text``: title, description, skill names) and the resume text;
* ``embedding`` baseline — cosine of all-MiniLM-L6-v2 sentence embeddings of the same texts;
* ``emb+tfidf`` baseline — ``MIX_EMBEDDING_SHARE`` × the embedding + the rest × TF-IDF, each
  min-max normalised per job; the share (0.6) is the best of a grid over 0.0–1.0 on the
  tuning half (``--tune`` prints it), so this baseline is as strong as the split allows;
* ``local`` — the local provider as shipped (hybrid text with the bundled LSA);
* ``local+minilm`` — the local provider with the sentence model as its dense part.

The three embedding rows need the ``embeddings`` extra; without it they are left out (and
said so). Relevance of a resume to a job: 2 same category; 1 when the two categories share
an O*NET code (primary or secondary); 0 otherwise. P@5 (share of the top 5 in the job's
category) and nDCG@10 (gain ``2^rel - 1``, ideal ordering over all resumes), as means over
the 25 jobs, over the tuning half and over the held-out half. Target: in every variant, the
local provider's mean nDCG@10 at least 1.10× the best baseline of that variant.

**No tuning on the evaluation labels beyond a held-out split.** The categories are split in
two by their position in sorted order: tuning (even positions, 13 categories) and held out
(odd, 12). ``--tune`` searches a small grid on the tuning categories only (mean nDCG@10
over the three variants): the text share of skills + text, ``related.RELATED_CREDIT`` and
the hybrid text parts (for LSA and for the sentence model), and the hybrid baseline's
embedding share. Shipped: the text parts of both encoders and the baseline's share from
that grid; the text share at a half of skills + text, the largest principle allows (the
grid wants more: see ``scoring.WEIGHTS``); everything else by principle (the related-skill
credit; BM25F field weights, saturations). The tuning-half and held-out means are printed
beside the means over all 25.

Usage:  .venv/bin/python bench/matching_quality/run.py [--per-category] [--data DIR]
        [--variants category,onet,none] [--no-embeddings] [--tune]
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

# ../shared/data next to the checkout; --data names another place.
DATA = REPO.parent / "shared" / "data"
RESUMES = "resumes_updated_dataset_dedup.csv"
CATEGORY_MAP = "category_occupation_map.csv"
OCCUPATIONS = "onet_29_2_occupation_data.tsv"
TASKS = "onet_29_2_task_statements.tsv"
TECHNOLOGY = "onet_29_2_technology_skills.tsv"
TARGET_RATIO = 1.10
# The hybrid baseline's weight of the embedding (the rest is TF-IDF): tuned on the tuning half.
MIX_EMBEDDING_SHARE = 0.6
VARIANTS = ("category", "onet", "none")

csv.field_size_limit(10_000_000)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build_jobs(
    data: Path, *, variant: str, n_required: int, n_preferred: int, n_tasks: int
) -> tuple[list, dict[str, set[str]]]:
    """One JobProfile per category (titled as ``variant`` says), and each category's O*NET codes."""
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
        if variant == "category":
            title, lead = category, [occupation["Title"]]
        elif variant == "onet":
            title, lead = occupation["Title"], []
        else:
            title, lead = "", []
        description = "\n".join([*lead, occupation["Description"], *core])
        jobs.append((category, JobProfile.build(title=title, description=description, skills=skills)))
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


def split(categories: list[str]) -> tuple[set[str], set[str]]:
    """(tuning, held-out) categories: even and odd positions in sorted order."""
    ordered = sorted(categories)
    return set(ordered[0::2]), set(ordered[1::2])


def order_of(scores) -> list[int]:  # type: ignore[no-untyped-def]
    """Rows best first, ties by row order (as the local ranking breaks them)."""
    import numpy as np

    return [int(i) for i in np.lexsort((np.arange(len(scores)), -np.asarray(scores, dtype=np.float64)))]


def minmax(values):  # type: ignore[no-untyped-def]
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    span = values.max() - values.min()
    return (values - values.min()) / span if span > 0 else np.zeros_like(values)


def mix(embedding, tfidf, share: float):  # type: ignore[no-untyped-def]
    """The hybrid baseline of one job: ``share`` × the embedding + the rest × TF-IDF, each min-max normalised."""
    return share * minmax(embedding) + (1.0 - share) * minmax(tfidf)


def tune_mix(mixes, resumes, tuning) -> None:  # type: ignore[no-untyped-def]
    """The hybrid baseline's embedding share on the tuning categories only (mean nDCG@10 over the variants)."""
    import numpy as np

    print("\nHybrid baseline (emb+tfidf), embedding share (tuning categories only; mean nDCG@10 over the variants):")
    for share in [round(x * 0.1, 1) for x in range(11)]:
        means = []
        for cosines, tfidf, categories, codes in mixes.values():
            tuned = [i for i, c in enumerate(categories) if c in tuning]
            scores = [mix(cosines[i], tfidf[i], share) for i in tuned]
            means.append(np.mean([r[3] for r in evaluate(scores, [categories[i] for i in tuned], resumes, codes)]))
        mark = "  (shipped)" if share == MIX_EMBEDDING_SHARE else ""
        print(f"  {share:.1f}  {np.mean(means):.3f}{mark}")


def evaluate(scores_by_job, categories, resumes, codes):  # type: ignore[no-untyped-def]
    """Per job: (category, n relevant, P@5, nDCG@10)."""
    rows = []
    for category, scores in zip(categories, scores_by_job, strict=True):
        rels = [relevance(category, row["category"], codes) for row in resumes]
        order = order_of(scores)
        rows.append((category, sum(1 for r in rels if r == 2), precision_at(order, rels, 5), ndcg_at(order, rels, 10)))
    return rows


def tune(matrix, jobs_by_variant, categories, resumes, codes, tuning, encoder="lsa") -> None:  # type: ignore[no-untyped-def]
    """Grid search on the tuning categories only (see the module docstring); prints the best settings.

    Searched: the share of text in the skills + text weight of ``WEIGHTS`` (experience and
    location keep theirs: every resume here is equal on them, so they cannot move a ranking),
    ``TEXT_PARTS`` in steps of 0.1 and ``related.RELATED_CREDIT``. The score is the mean
    over the variants of the mean nDCG@10 over the tuning categories.
    """
    import itertools

    import numpy as np

    from hotgigs.ai import embeddings, related, scoring
    from hotgigs.ai.providers.local import LocalProvider, dense_fit

    shipped_credit = related.RELATED_CREDIT
    prepared = {}
    for variant, jobs in jobs_by_variant.items():
        rows = []
        if encoder != "lsa":
            # One batch per variant: the sentence model's dense part of every job at once.
            vectors = embeddings.encoder(encoder).encode([job.text for _, job in jobs])
            dense = [dense_fit(np.clip(matrix.dense_vectors(encoder) @ v, 0.0, 1.0), encoder) for v in vectors]
        for j, (_, job) in enumerate(jobs):
            related.RELATED_CREDIT = 0.0
            plain = LocalProvider().rank(job, matrix)
            related.RELATED_CREDIT = 1.0
            full = LocalProvider().rank(job, matrix)
            if encoder != "lsa":
                plain.text_parts = {**plain.text_parts, "dense": dense[j]}
            rows.append((job, plain, full))
        prepared[variant] = rows
    related.RELATED_CREDIT = shipped_credit
    tuned = [i for i, c in enumerate(categories) if c in tuning]

    def weights_with(share: float, job) -> dict[str, float]:  # type: ignore[no-untyped-def]
        # ``share`` of the skills + text weight goes to text; skills split 4:1 required:preferred;
        # experience and location keep theirs (they are equal for every resume here).
        pool = 1.0 - scoring.WEIGHTS["experience"] - scoring.WEIGHTS["location"]
        base = {
            "required_skills": pool * (1 - share) * 0.8,
            "preferred_skills": pool * (1 - share) * 0.2,
            "experience": scoring.WEIGHTS["experience"],
            "location": scoring.WEIGHTS["location"],
            "text_similarity": pool * share,
        }
        keep = {k: v for k, v in base.items() if k != "required_skills" or job.required}
        keep = {k: v for k, v in keep.items() if k != "preferred_skills" or job.preferred}
        return {k: v / sum(keep.values()) for k, v in keep.items()}

    grid = [round(x * 0.1, 1) for x in range(11)]
    results = []
    shipped_share = round(
        scoring.WEIGHTS["text_similarity"] / (1 - scoring.WEIGHTS["experience"] - scoring.WEIGHTS["location"]), 4
    )
    for share, credit in itertools.product(sorted({shipped_share, 0.5, 0.6, 0.7}), (0.0, 0.2, 0.4)):
        for tfidf_w, bm25_w in itertools.product(grid, grid):
            dense_w = round(1.0 - tfidf_w - bm25_w, 1)
            if dense_w < 0:
                continue
            means = []
            for rows in prepared.values():
                scores_by_job = []
                for job, plain, full in rows:
                    parts = plain.text_parts
                    comps = {}
                    for name in ("required_skills", "preferred_skills", "experience", "location"):
                        comps[name] = plain.components[name] + credit * (full.components[name] - plain.components[name])
                    comps["text_similarity"] = (
                        tfidf_w * parts["tfidf"] + bm25_w * parts["bm25f"] + dense_w * parts["dense"]
                    )
                    scores_by_job.append(sum(comps[k] * w for k, w in weights_with(share, job).items()))
                picked = [scores_by_job[i] for i in tuned]
                result = evaluate(picked, [categories[i] for i in tuned], resumes, codes)
                means.append(np.mean([r[3] for r in result]))
            results.append((float(np.mean(means)), share, credit, tfidf_w, bm25_w, dense_w))
    results.sort(reverse=True)
    print(f"\nTuning grid, dense part {encoder} (tuning categories only; mean nDCG@10 over the variants), best 10:")
    print(f"{'nDCG@10':>9}{'text/(skills+text)':>20}{'related':>9}{'tfidf':>7}{'bm25f':>7}{'dense':>7}")
    at_shipped = [row for row in results if row[1] == shipped_share]
    for label, picked in (("", results[:10]), ("best at the shipped text share:", at_shipped[:5])):
        if label:
            print(label)
        for mean, share, credit, t, b, d in picked:
            print(f"{mean:>9.3f}{share:>20.2f}{credit:>9.1f}{t:>7.1f}{b:>7.1f}{d:>7.1f}")
    print(
        f"shipped: text/(skills+text) {scoring.WEIGHTS['text_similarity'] / (1 - scoring.WEIGHTS['experience'] - scoring.WEIGHTS['location']):.2f}, related {related.RELATED_CREDIT}, "
        f"tfidf/bm25f/dense {tuple(scoring.TEXT_PARTS_BY_ENCODER[encoder].values())}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help=f"data folder (default {DATA})")
    parser.add_argument("--per-category", action="store_true", help="print a row per category")
    parser.add_argument("--required", type=int, default=0, help="particular hot technologies required per job")
    parser.add_argument("--preferred", type=int, default=10, help="further hot technologies preferred per job")
    parser.add_argument("--tasks", type=int, default=12, help="core task statements per job description")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: category,onet,none")
    parser.add_argument("--no-embeddings", action="store_true", help="leave out the sentence-model rows")
    parser.add_argument("--tune", action="store_true", help="grid-search the text weights on the tuning half")
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")

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

    from hotgigs.ai import CandidateMatrix, CandidateProfile, embeddings, related, scoring
    from hotgigs.ai.providers.local import LocalProvider

    resumes = read_csv(args.data / RESUMES)
    resume_texts = [row["resume_text"] for row in resumes]
    with_minilm = embeddings.minilm_available() and not args.no_embeddings
    started = time.perf_counter()
    profiles = [CandidateProfile.build(resume_text=text, id=i) for i, text in enumerate(resume_texts)]
    matrix = CandidateMatrix.from_profiles(profiles)
    build_seconds = time.perf_counter() - started
    providers = {"local": LocalProvider()}
    resume_vectors = None
    if with_minilm:
        started = time.perf_counter()
        minilm = embeddings.encoder("minilm")
        resume_vectors = minilm.encode(resume_texts)
        matrix.dense_vectors("minilm")
        print(
            f"sentence model loaded and {len(resumes)} resumes embedded (twice) in {time.perf_counter() - started:.1f}s"
        )
        providers["local+minilm"] = LocalProvider(encoder="minilm")

    categories_all = [row["category"] for row in read_csv(args.data / CATEGORY_MAP)]
    tuning, held_out = split(categories_all)
    print(f"Matching quality: {len(categories_all)} jobs (one per category) × {len(resumes)} resumes from {args.data}")
    print(
        f"local provider {providers['local'].model_version}; weights: text share {scoring.WEIGHTS['text_similarity']},"
    )
    print(f"  related credit {related.RELATED_CREDIT}, text parts {scoring.TEXT_PARTS_BY_ENCODER},")
    print("  chosen with --tune on the tuning half only (see hotgigs/ai/scoring.py):")
    print(f"  tuning  ({len(tuning)}): {', '.join(sorted(tuning))}")
    print(f"  held out ({len(held_out)}): {', '.join(sorted(held_out))}")
    if not with_minilm:
        print("embedding rows left out: the 'embeddings' extra is not installed (or --no-embeddings)")
    print(f"candidate matrix built in {build_seconds:.2f}s")

    jobs_by_variant = {}
    mixes: dict[str, tuple] = {}
    verdicts = []
    for variant in variants:
        jobs, codes = build_jobs(
            args.data, variant=variant, n_required=args.required, n_preferred=args.preferred, n_tasks=args.tasks
        )
        jobs_by_variant[variant] = jobs
        categories = [category for category, _ in jobs]
        job_texts = [job.text for _, job in jobs]
        methods: dict[str, list] = {}
        tfidf, baseline_name = tfidf_cosines(job_texts, resume_texts)
        methods["TF-IDF"] = list(tfidf)
        if resume_vectors is not None:
            job_vectors = embeddings.encoder("minilm").encode(job_texts)
            cosines = job_vectors @ resume_vectors.T
            methods["embedding"] = list(cosines)
            methods["emb+tfidf"] = [mix(a, b, MIX_EMBEDDING_SHARE) for a, b in zip(cosines, tfidf, strict=True)]
            mixes[variant] = (list(cosines), list(tfidf), categories, codes)
        baselines = list(methods)
        rank_ms = {}
        for name, provider in providers.items():
            started = time.perf_counter()
            rankings = [provider.rank(job, matrix) for _, job in jobs]
            rank_ms[name] = (time.perf_counter() - started) * 1000
            methods[name] = [r.scores for r in rankings]
        results = {name: evaluate(scores, categories, resumes, codes) for name, scores in methods.items()}

        def mean(rows, column, only=None):  # type: ignore[no-untyped-def]
            chosen = [r[column] for r in rows if only is None or r[0] in only]
            return sum(chosen) / len(chosen)

        best = max(baselines, key=lambda name: mean(results[name], 3))
        print(f"\n=== variant '{variant}' — job titles: {jobs[0][1].title!r}, {jobs[9][1].title!r}, … ===")
        print(
            f"baseline TF-IDF: {baseline_name}; ranking ms (25 jobs): "
            + ", ".join(f"{k} {v:.0f}" for k, v in rank_ms.items())
        )
        if args.per_category:
            names = list(methods)
            print(f"\n{'nDCG@10 per category':<28}{'n':>4}" + "".join(f"{n:>14}" for n in names))
            for i, category in enumerate(categories):
                mark = "" if category in tuning else " *"
                cells = "".join(f"{results[n][i][3]:>14.3f}" for n in names)
                print(f"{category + mark:<28}{results[names[0]][i][1]:>4}" + cells)
            print("(* held out)")
        print(
            f"\n{'method':<16}{'P@5':>8}{'nDCG@10':>10}{'ratio':>8}"
            f"{'tuning nDCG@10':>16}{'ratio':>8}{'held-out nDCG@10':>18}{'ratio':>8}"
        )
        best_all, best_held = mean(results[best], 3), mean(results[best], 3, held_out)
        best_tuning = mean(results[best], 3, tuning)
        for name in methods:
            n_all, n_held = mean(results[name], 3), mean(results[name], 3, held_out)
            n_tuning = mean(results[name], 3, tuning)
            print(
                f"{name:<16}{mean(results[name], 2):>8.3f}{n_all:>10.3f}{n_all / best_all:>8.2f}"
                f"{n_tuning:>16.3f}{n_tuning / best_tuning:>8.2f}{n_held:>18.3f}{n_held / best_held:>8.2f}"
            )
        print(f"(ratio: to the best baseline of this variant, {best})")
        for name in providers:
            ratio = mean(results[name], 3) / best_all
            verdicts.append((variant, name, ratio))

    print(f"\nTarget: nDCG@10 ≥ {TARGET_RATIO:.2f}× the best baseline of each variant")
    for variant, name, ratio in verdicts:
        print(f"  {variant:<10}{name:<14}{ratio:>6.2f}×  {'meets' if ratio >= TARGET_RATIO else 'misses'}")
    if args.tune:
        if mixes:
            tune_mix(mixes, resumes, tuning)
        for encoder in ("lsa", "minilm") if with_minilm else ("lsa",):
            tune(matrix, jobs_by_variant, categories_all, resumes, codes, tuning, encoder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
