"""Regenerate ``lsa_terms.json`` + ``lsa_vectors.npy`` and ``related_skills.json``.

Sources (in ``../shared/data``, licences in ATTRIBUTION.md); no resume text of any kind:

* **LSA projection** (the dense component that needs only numpy): one document per O*NET
  29.2 occupation (title, description, task statements, technology examples, reported job
  titles) and one per ESCO v1.0 occupation (preferred label, altLabels, description). The
  documents' features are the engine's own (``hotgigs.ai.text.features``: words with skill
  spellings folded, plus ``skill:<key>`` features); the ``MAX_TERMS`` features found in most
  documents (at least ``MIN_DF``) are kept, weighted ``(1 + ln tf) × idf``, rows L2-normalized,
  and a truncated SVD keeps ``DIMENSIONS`` directions. The file holds, per term, ``idf × V_k``
  (float16): a text's dense vector is the sum of ``(1 + ln tf) ×`` its terms' rows.
* **Related skills**: two vocabulary skills are related when O*NET lists them under the
  same commodity class (UNSPSC, e.g. "Object or component oriented development software")
  and for overlapping occupations (Jaccard of their occupation sets at least
  ``MIN_JACCARD``, each listed for at least ``MIN_OCCUPATIONS``), the ``MAX_RELATED`` most
  overlapping kept per skill (then made symmetric); and two ESCO transversal skills are related when they share
  their broader concept.

Usage, from the repository root::

    .venv/bin/python hotgigs/ai/data/build_semantic.py [--data-dir ../shared/data]

The output is deterministic (sorted; the SVD starts from a fixed vector).
"""

import argparse
import csv
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT))

from hotgigs.ai import text as text_features  # noqa: E402
from hotgigs.ai import vocabulary  # noqa: E402

DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
OUT_DIR = Path(__file__).resolve().parent
MAX_TERMS = 6000
MIN_DF = 3
DIMENSIONS = 64
MIN_JACCARD = 0.3
MIN_OCCUPATIONS = 3
MAX_RELATED = 5
REPORTED_TITLES_PER_OCCUPATION = 15

csv.field_size_limit(10_000_000)


def read(path: Path, delimiter: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def documents(data: Path) -> list[str]:
    """One text per O*NET occupation and per ESCO occupation."""
    parts: dict[str, list[str]] = defaultdict(list)
    for row in read(data / "onet_29_2_occupation_data.tsv", "\t"):
        parts[row["O*NET-SOC Code"]] += [row["Title"], row["Description"]]
    for row in read(data / "onet_29_2_task_statements.tsv", "\t"):
        parts[row["O*NET-SOC Code"]].append(row["Task"])
    for row in read(data / "onet_29_2_technology_skills.tsv", "\t"):
        parts[row["O*NET-SOC Code"]].append(row["Example"])
    titles: dict[str, int] = Counter()
    for row in read(data / "onet_29_2_sample_of_reported_titles.tsv", "\t"):
        code = row["O*NET-SOC Code"]
        if titles[code] < REPORTED_TITLES_PER_OCCUPATION:
            titles[code] += 1
            parts[code].append(row["Reported Job Title"])
    docs = ["\n".join(parts[code]) for code in sorted(parts)]
    for row in read(data / "esco_occupations_en.csv", ","):
        docs.append("\n".join([row["preferredLabel"], row["altLabels"], row["description"]]))
    return docs


def build_lsa(data: Path) -> None:
    import numpy as np
    from scipy import sparse
    from scipy.sparse.linalg import svds

    counted = [Counter(text_features.features(doc)) for doc in documents(data)]
    df: Counter[str] = Counter()
    for counts in counted:
        df.update(counts.keys())
    kept = sorted((t for t, n in df.items() if n >= MIN_DF), key=lambda t: (-df[t], t))[:MAX_TERMS]
    terms = sorted(kept)
    index = {t: i for i, t in enumerate(terms)}
    n_docs = len(counted)
    idf = np.asarray([math.log(n_docs / df[t]) + 1.0 for t in terms])
    rows, cols, vals = [], [], []
    for r, counts in enumerate(counted):
        for term, tf in counts.items():
            c = index.get(term)
            if c is not None:
                rows.append(r)
                cols.append(c)
                vals.append((1.0 + math.log(tf)) * idf[c])
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(n_docs, len(terms)))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ x
    _, _, vt = svds(x, k=DIMENSIONS, v0=np.ones(min(x.shape)) / math.sqrt(min(x.shape)))
    v = vt.T[:, ::-1]  # terms × k, strongest direction first
    # A fixed sign per direction (its largest entry positive) keeps the file reproducible.
    v = v * np.sign(v[np.abs(v).argmax(axis=0), np.arange(v.shape[1])])
    vectors = (v * idf[:, None]).astype(np.float16)
    np.save(OUT_DIR / "lsa_vectors.npy", vectors, allow_pickle=False)
    with (OUT_DIR / "lsa_terms.json").open("w", encoding="utf-8") as handle:
        json.dump({"documents": n_docs, "dimensions": DIMENSIONS, "terms": terms}, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"LSA: {n_docs} documents, {len(terms)} terms × {DIMENSIONS} dimensions")  # noqa: T201


def build_related(data: Path) -> None:
    occupations: dict[str, set[str]] = defaultdict(set)
    commodity: dict[str, set[str]] = defaultdict(set)
    for row in read(data / "onet_29_2_technology_skills.tsv", "\t"):
        key = vocabulary.canonical_skill(row["Example"])
        occupations[key].add(row["O*NET-SOC Code"])
        commodity[key].add(row["Commodity Code"])
    by_class: dict[str, list[str]] = defaultdict(list)
    for key, classes in commodity.items():
        if len(occupations[key]) >= MIN_OCCUPATIONS:
            for code in classes:
                by_class[code].append(key)
    candidates: dict[str, dict[str, float]] = defaultdict(dict)
    for members in by_class.values():
        for a in members:
            for b in members:
                if a >= b:
                    continue
                inter = len(occupations[a] & occupations[b])
                jaccard = inter / len(occupations[a] | occupations[b])
                if jaccard >= MIN_JACCARD:
                    candidates[a][b] = jaccard
                    candidates[b][a] = jaccard
    related: dict[str, list[str]] = {}
    for key, others in candidates.items():
        related[key] = sorted(others, key=lambda o: (-others[o], o))[:MAX_RELATED]
    # Symmetric, so ranking candidates for a job and jobs for a candidate give the same credit.
    for key, linked in list(related.items()):
        for other in linked:
            if key not in related.setdefault(other, []):
                related[other].append(key)
    related = {key: sorted(linked) for key, linked in related.items()}
    groups: dict[str, list[str]] = defaultdict(list)
    for row in read(data / "esco_transversal_skills_collection_en.csv", ","):
        if row.get("broaderConceptPT"):
            groups[row["broaderConceptPT"]].append(vocabulary.canonical_skill(row["preferredLabel"]))
    for members in groups.values():
        if len(members) <= MAX_RELATED + 1:
            for key in members:
                related[key] = sorted(set(related.get(key, [])) | {m for m in members if m != key})
    out = {key: related[key] for key in sorted(related) if related[key]}
    with (OUT_DIR / "related_skills.json").open("w", encoding="utf-8") as handle:
        json.dump({"related": out}, handle, indent=0, sort_keys=True)
        handle.write("\n")
    print(f"related skills: {len(out)} skills, {sum(len(v) for v in out.values())} links")  # noqa: T201


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    build_related(args.data_dir)
    build_lsa(args.data_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
