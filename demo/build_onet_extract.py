"""Regenerate ``onet_extract.json``, the compact O*NET slice that ``seed_demo`` reads.

The seed data is derived from the O*NET 29.2 Database (CC BY 4.0, see ATTRIBUTION.md).
The full release is large (about 8 MB for the four files used here), so this script keeps
only a few dozen occupations that suit a tech and business recruiting demo, and for each
of them: code, title, description, a few plain alternate titles, a handful of task
statements (Core before Supplemental) and its technology skills, ranked "In Demand" first,
then "Hot Technology", then the rest, with both flags kept.

Usage, from the repository root (the O*NET files live in ``../shared/data``)::

    .venv/bin/python demo/build_onet_extract.py [--data-dir ../shared/data]

The output is deterministic (sorted, no timestamps), so a rerun on the same release
produces the same file and a clean diff.
"""

import argparse
import csv
import json
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
OUTPUT = Path(__file__).resolve().parent / "onet_extract.json"

RELEASE = "O*NET 29.2 Database (February 2025)"
MAX_ALTERNATE_TITLES = 6
MAX_TASKS = 8
MAX_SKILLS = 20

# Occupations grouped by the kind of employer that hires for them; the seed gives each demo
# organization openings from its groups. Department and the salary midpoint (USD a year)
# are hand-set, rough demo figures — they are not O*NET data.
OCCUPATIONS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "technology": (
        ("15-1252.00", "Engineering", 135000),  # Software Developers
        ("15-1254.00", "Engineering", 105000),  # Web Developers
        ("15-1253.00", "Engineering", 100000),  # Software Quality Assurance Analysts and Testers
        ("15-2051.00", "Data", 125000),  # Data Scientists
        ("15-2051.01", "Data", 100000),  # Business Intelligence Analysts
        ("15-1242.00", "IT", 102000),  # Database Administrators
        ("15-1243.00", "Data", 135000),  # Database Architects
        ("15-1244.00", "IT", 95000),  # Network and Computer Systems Administrators
        ("15-1212.00", "Security", 120000),  # Information Security Analysts
        ("15-1211.00", "IT", 103000),  # Computer Systems Analysts
        ("15-1232.00", "IT", 60000),  # Computer User Support Specialists
        ("15-1241.00", "IT", 130000),  # Computer Network Architects
        ("15-1255.00", "Design", 95000),  # Web and Digital Interface Designers
        ("15-1299.08", "Engineering", 130000),  # Computer Systems Engineers/Architects
        ("15-1299.09", "Engineering", 115000),  # Information Technology Project Managers
        ("11-3021.00", "Engineering", 170000),  # Computer and Information Systems Managers
        ("27-3042.00", "Product", 85000),  # Technical Writers
    ),
    "healthcare": (
        ("29-1141.00", "Nursing", 90000),  # Registered Nurses
        ("29-1171.00", "Nursing", 125000),  # Nurse Practitioners
        ("29-1051.00", "Pharmacy", 135000),  # Pharmacists
        ("29-1123.00", "Rehabilitation", 100000),  # Physical Therapists
        ("29-2061.00", "Nursing", 60000),  # Licensed Practical and Licensed Vocational Nurses
        ("29-2034.00", "Imaging", 72000),  # Radiologic Technologists and Technicians
        ("11-9111.00", "Administration", 115000),  # Medical and Health Services Managers
        ("11-9121.01", "Research", 70000),  # Clinical Research Coordinators
        ("15-1211.01", "Clinical Informatics", 95000),  # Health Informatics Specialists
        ("15-2051.02", "Research", 100000),  # Clinical Data Managers
        ("43-6013.00", "Administration", 42000),  # Medical Secretaries and Administrative Assistants
    ),
    "business": (
        ("13-2011.00", "Finance", 82000),  # Accountants and Auditors
        ("13-2051.00", "Finance", 100000),  # Financial and Investment Analysts
        ("11-3031.00", "Finance", 155000),  # Financial Managers
        ("13-1082.00", "Operations", 98000),  # Project Management Specialists
        ("13-1111.00", "Strategy", 100000),  # Management Analysts
        ("13-1161.00", "Marketing", 75000),  # Market Research Analysts and Marketing Specialists
        ("13-1161.01", "Marketing", 78000),  # Search Marketing Strategists
        ("11-2021.00", "Marketing", 155000),  # Marketing Managers
        ("11-2022.00", "Sales", 135000),  # Sales Managers
        ("41-3091.00", "Sales", 65000),  # Sales Representatives of Services
        ("41-4012.00", "Sales", 68000),  # Sales Representatives, Wholesale and Manufacturing
        ("13-1071.00", "People", 68000),  # Human Resources Specialists
        ("11-3121.00", "People", 135000),  # Human Resources Managers
        ("43-4051.00", "Customer Success", 40000),  # Customer Service Representatives
        ("27-3031.00", "Marketing", 68000),  # Public Relations Specialists
        ("27-1024.00", "Design", 60000),  # Graphic Designers
        ("13-1081.00", "Operations", 80000),  # Logisticians
    ),
}


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def plain_title(title: str) -> bool:
    """A title that reads like a job posting: short, no abbreviation in brackets, no list."""
    return len(title) <= 40 and not any(char in title for char in "(),/;")


def build(data_dir: Path) -> dict[str, object]:
    wanted = {code for entries in OCCUPATIONS.values() for code, _, _ in entries}
    occupations = {
        row["O*NET-SOC Code"]: row
        for row in read_tsv(data_dir / "onet_29_2_occupation_data.tsv")
        if row["O*NET-SOC Code"] in wanted
    }
    missing = sorted(wanted - set(occupations))
    if missing:
        raise SystemExit(f"Not in the occupation file: {', '.join(missing)}")

    titles: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in read_tsv(data_dir / "onet_29_2_alternate_titles.tsv"):
        code, title = row["O*NET-SOC Code"], row["Alternate Title"].strip()
        if code in wanted and plain_title(title):
            # Source 10 is job postings, 01 employer surveys: titles people really advertise.
            sources = row["Source(s)"].split(",")
            rank = 0 if "10" in sources else 1 if "01" in sources else 2
            titles[code].append((rank, title))

    tasks: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for row in read_tsv(data_dir / "onet_29_2_task_statements.tsv"):
        code = row["O*NET-SOC Code"]
        if code in wanted:
            rank = 0 if row["Task Type"] == "Core" else 1
            tasks[code].append((rank, int(row["Task ID"]), row["Task"].strip()))

    skills: dict[str, list[tuple[int, str, dict[str, object]]]] = defaultdict(list)
    for row in read_tsv(data_dir / "onet_29_2_technology_skills.tsv"):
        code = row["O*NET-SOC Code"]
        if code not in wanted:
            continue
        hot, in_demand = row["Hot Technology"] == "Y", row["In Demand"] == "Y"
        rank = 0 if in_demand else 1 if hot else 2
        skills[code].append(
            (
                rank,
                row["Example"],
                {
                    "name": row["Example"].strip(),
                    "category": row["Commodity Title"],
                    "hot": hot,
                    "in_demand": in_demand,
                },
            )
        )

    groups: dict[str, list[dict[str, object]]] = {}
    for group, entries in OCCUPATIONS.items():
        groups[group] = []
        for code, department, salary_midpoint in entries:
            occupation = occupations[code]
            picked_titles = [title for _, title in sorted(set(titles[code]))][:MAX_ALTERNATE_TITLES]
            groups[group].append(
                {
                    "code": code,
                    "title": occupation["Title"],
                    "description": occupation["Description"],
                    "department": department,
                    "salary_midpoint": salary_midpoint,
                    "alternate_titles": picked_titles,
                    "tasks": [task for _, _, task in sorted(tasks[code])[:MAX_TASKS]],
                    "technology_skills": [skill for _, _, skill in sorted(skills[code], key=lambda s: s[:2])][
                        :MAX_SKILLS
                    ],
                }
            )
    return {
        "source": RELEASE,
        "license": "CC BY 4.0",
        "attribution": (
            "This product includes information from the O*NET 29.2 Database by the U.S. Department of Labor, "
            "Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. "
            "O*NET® is a trademark of USDOL/ETA. Selected and shortened for HotGigs demo data; see ATTRIBUTION.md."
        ),
        "groups": groups,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="folder with the O*NET 29.2 TSV files")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    extract = build(args.data_dir)
    args.output.write_text(json.dumps(extract, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    groups: dict[str, list[object]] = extract["groups"]  # type: ignore[assignment]
    count = sum(len(group) for group in groups.values())
    print(f"wrote {args.output} ({count} occupations, {args.output.stat().st_size // 1024} KB)")  # noqa: T201


if __name__ == "__main__":
    main()
