"""Regenerate ``skills_vocabulary.json`` and ``text_idf.json``, the matching engine's data.

Sources (in ``../shared/data``, licences in ATTRIBUTION.md):

* O*NET 29.2 ``Technology Skills``: every distinct example ("Microsoft Excel", "Oracle
  Java", "Structured query language SQL") becomes a skill. Aliases are derived by rule:
  a trailing acronym that spells the initials of the words before it ("… SQL" → "SQL" and
  "Structured query language"), a known vendor prefix dropped ("Oracle Java" → "Java"), a
  trailing " software" dropped.
* ESCO v1.0 transversal skills: the preferred label and its altLabels.
* ``SYNONYMS`` below: hand-written spellings of common tech skills ("JS", "Postgres",
  "K8s", "React.js"). They are read first, so their display names win, and an O*NET entry
  whose alias meets one of them is merged into it.

An alias is *name-only* (prefixed ``!`` in the file, not looked for in free text) when it
is a single token that is also an ordinary word: one that appears in more than
``COMMON_WORD_TASKS`` O*NET task statements ("Word", "Access", "Go"), one or two
characters long ("R", "C"), or listed in ``NAME_ONLY``.

``text_idf.json`` holds the inverse document frequency of the engine's text features over
one document per O*NET occupation (title, description, task statements, technology
examples). A fixed table, rather than one fitted on the candidates being ranked, makes the
score of a pair depend only on that pair, which the score receipts promise.

Usage, from the repository root::

    .venv/bin/python hotgigs/ai/data/build_vocabulary.py [--data-dir ../shared/data]

The output is deterministic (sorted, no timestamps).
"""

import argparse
import csv
import json
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT))

from hotgigs.ai import text as text_features  # noqa: E402
from hotgigs.ai import vocabulary  # noqa: E402

DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
OUT_DIR = Path(__file__).resolve().parent
ONET_RELEASE = "O*NET 29.2 Database (February 2025)"
ESCO_RELEASE = "ESCO v1.0.x transversal skills collection (English)"
COMMON_WORD_TASKS = 3
MIN_DF = 2

# Canonical display name → aliases. "!" marks an alias that is only a name, never looked
# for in prose (see the module docstring).
SYNONYMS: dict[str, list[str]] = {
    "JavaScript": ["JS", "ECMAScript", "ES6", "Oracle JavaScript", "vanilla JS"],
    "TypeScript": ["TS"],
    "PostgreSQL": ["Postgres", "psql", "PostgresSQL", "Postgre SQL", "PGSQL"],
    "MySQL": ["My SQL"],
    "SQL": ["Structured query language", "Structured query language SQL"],
    "NoSQL": ["No SQL"],
    "MongoDB": ["Mongo", "Mongo DB"],
    "Redis": [],
    "Elasticsearch": ["Elastic Search", "ElasticSearch", "!Elastic"],
    "Kubernetes": ["K8s", "kube", "Kubernetes software"],
    "Docker": ["Docker software", "containers docker"],
    "Terraform": ["HashiCorp Terraform"],
    "Ansible": ["Red Hat Ansible", "Red Hat Ansible Engine"],
    "Machine learning": ["ML", "machine-learning"],
    "Deep learning": ["DL", "deep-learning"],
    "Artificial intelligence": ["AI"],
    "Natural language processing": ["NLP"],
    "Computer vision": ["CV computer vision"],
    "Large language models": ["LLM", "LLMs"],
    "React": ["React.js", "ReactJS", "React JS"],
    "React Native": ["ReactNative"],
    "Angular": ["AngularJS", "Angular.js", "Angular JS"],
    "Vue.js": ["Vue", "VueJS", "Vue JS"],
    "Next.js": ["NextJS", "Next JS"],
    "Node.js": ["Node", "NodeJS", "Node JS"],
    "Express.js": ["Express", "ExpressJS"],
    "Django": ["Django REST framework", "DRF"],
    "Flask": [],
    "FastAPI": ["Fast API"],
    "Spring Boot": ["SpringBoot", "Spring"],
    "Ruby on Rails": ["Rails", "RoR"],
    "Ruby": [],
    "Python": ["Python 3", "Python3", "py"],
    "Java": ["Oracle Java", "Java SE", "Java EE", "J2EE", "JEE"],
    "Kotlin": [],
    "Scala": [],
    "C": ["!C language", "C programming language"],
    "C++": ["CPP", "C plus plus"],
    "C#": ["C sharp", "CSharp", "C-sharp", "Microsoft Visual C#", "Visual C#"],
    ".NET": ["dotnet", "dot net", ".NET Framework", "Microsoft .NET Framework", ".NET Core", "DotNet"],
    "ASP.NET": ["ASP .NET", "ASPNET", "Microsoft ASP.NET"],
    "Go": ["Golang", "Go language"],
    "Rust": ["Rust language"],
    "PHP": ["Hypertext preprocessor"],
    "Swift": ["Apple Swift"],
    "Objective-C": ["ObjC", "Objective C"],
    "R": ["R language", "R programming"],
    "MATLAB": ["The MathWorks MATLAB", "Matlab"],
    "HTML": ["HTML5", "Hypertext markup language", "Hypertext markup language HTML"],
    "CSS": ["CSS3", "Cascading style sheets", "Cascading style sheets CSS"],
    "Sass": ["SCSS"],
    "Tailwind CSS": ["Tailwind", "TailwindCSS"],
    "GraphQL": ["Graph QL"],
    "REST APIs": ["REST", "RESTful", "REST API", "RESTful APIs", "RESTful API"],
    "gRPC": [],
    "Amazon Web Services": ["AWS", "Amazon AWS", "Amazon Web Services AWS software", "Amazon Web Services AWS"],
    "Google Cloud Platform": ["GCP", "Google Cloud"],
    "Microsoft Azure": ["Azure", "Microsoft Azure software", "MS Azure"],
    "Linux": ["GNU/Linux"],
    "Unix": ["UNIX"],
    "Git": ["GitHub", "GitLab", "git version control"],
    "CI/CD": ["CICD", "continuous integration", "continuous delivery", "continuous deployment"],
    "Jenkins": [],
    "DevOps": ["Dev Ops"],
    "Apache Kafka": ["Kafka"],
    "Apache Spark": ["Spark", "PySpark", "!Spark"],
    "Apache Hadoop": ["Hadoop", "HDFS"],
    "Apache Airflow": ["Airflow"],
    "Pandas": ["!pandas"],
    "NumPy": ["numpy"],
    "scikit-learn": ["sklearn", "scikit learn", "scikitlearn"],
    "TensorFlow": ["Tensor Flow"],
    "PyTorch": ["Torch"],
    "Tableau": ["Tableau software"],
    "Power BI": ["PowerBI", "Microsoft Power BI"],
    "Microsoft Excel": ["Excel", "MS Excel"],
    "Microsoft Word": ["!Word", "MS Word"],
    "Microsoft PowerPoint": ["PowerPoint", "MS PowerPoint"],
    "Microsoft Access": ["!Access", "MS Access"],
    "Microsoft SQL Server": ["SQL Server", "MSSQL", "MS SQL", "T-SQL", "TSQL"],
    "Oracle Database": ["Oracle DB", "Oracle RDBMS", "!Oracle"],
    "SAP": ["SAP software", "SAP ERP"],
    "Salesforce": ["Salesforce software", "SFDC"],
    "Atlassian JIRA": ["Jira", "JIRA"],
    "Figma": [],
    "Selenium": ["Selenium WebDriver"],
    "Agile": ["Agile methodology", "Scrum", "Kanban"],
    "Microservices": ["microservice architecture", "micro services"],
    "Data analysis": ["data analytics"],
    "Statistics": ["statistical analysis"],
    "Project management": ["PMP"],
    "Communication": ["communication skills"],
    "Leadership": ["leadership skills", "team leadership"],
    "Bash": ["shell scripting", "Bash scripting", "!shell"],
    "PowerShell": ["Microsoft PowerShell"],
    "Snowflake": ["Snowflake data warehouse"],
    "dbt": ["data build tool"],
    "Blockchain": ["blockchain technology"],
    "Solidity": [],
    "Network security": ["cybersecurity", "cyber security", "information security"],
    "ETL": ["extract transform load"],
    "Hibernate": [],
    "Selenium IDE": [],
    "JUnit": [],
    "pytest": [],
    "Jest": [],
    "Cypress": [],
    "Webpack": [],
    "jQuery": [],
    "Bootstrap": ["Twitter Bootstrap"],
    "WordPress": ["Wordpress"],
    "Android": ["Android SDK", "Google Android"],
    "iOS": ["Apple iOS"],
    "Flutter": [],
    "Dart": [],
}

# Single words that are skills as names but ordinary words in prose.
NAME_ONLY = {
    "go", "r", "c", "word", "access", "excel", "spring", "express", "node", "rails", "spark", "swift", "react",
    "rust", "dart", "oracle", "elastic", "shell", "rest", "pandas",
}  # fmt: skip

# Vendor prefixes dropped to form an alias ("Oracle Java" → "Java").
VENDORS = (
    "The MathWorks",
    "Dassault Systemes",
    "Red Hat",
    "Microsoft",
    "Oracle",
    "Adobe",
    "Apple",
    "Google",
    "IBM",
    "Apache",
    "Amazon",
    "Atlassian",
    "Autodesk",
    "Cisco",
    "VMware",
    "Intuit",
    "ESRI",
    "Corel",
    "Wolfram Research",
    "Mozilla",
    "Epic Systems",
    "HashiCorp",
)
_PAREN = re.compile(r"\s*\(([^)]*)\)\s*$")


def derived_aliases(example: str) -> list[str]:
    """The aliases of one O*NET example, by the rules in the module docstring."""
    aliases: list[str] = []
    name = example.strip()
    paren = _PAREN.search(name)
    if paren:
        aliases.append(paren.group(1))
        name = name[: paren.start()].strip()
        aliases.append(name)
    if name.lower().endswith(" software") and len(name) > len(" software") + 1:
        name = name[: -len(" software")].strip()
        aliases.append(name)
    words = name.split()
    if len(words) >= 3 and words[-1].isupper() and len(words[-1]) >= 2:
        stem = words[:-1]
        initials = "".join(word[0] for word in stem if word[0].isalnum()).upper()
        if initials == words[-1]:
            aliases.extend([words[-1], " ".join(stem)])
    for vendor in VENDORS:
        if name.startswith(vendor + " ") and len(name) > len(vendor) + 2:
            aliases.append(name[len(vendor) + 1 :])
            break
    return [alias for alias in dict.fromkeys(aliases) if alias and alias != example]


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def build_skills(data_dir: Path) -> list[list[object]]:
    tasks = read_tsv(data_dir / "onet_29_2_task_statements.tsv")
    word_tasks: Counter[str] = Counter()
    for row in tasks:
        word_tasks.update(set(vocabulary.tokenize(row["Task"])))

    # display → ordered aliases; alias (normalized) → display that owns it.
    entries: dict[str, list[str]] = {}
    owner: dict[str, str] = {}

    def add(display: str, aliases: list[str]) -> None:
        target = next(
            (owner[vocabulary.normalize(a)] for a in (display, *aliases) if vocabulary.normalize(a) in owner),
            display,
        )
        bucket = entries.setdefault(target, [])
        for alias in (display, *aliases):
            norm = vocabulary.normalize(alias.removeprefix("!"))
            if norm in owner or not norm:
                continue
            owner[norm] = target
            if alias != target:
                bucket.append(alias)

    for display, aliases in SYNONYMS.items():
        add(display, aliases)
    examples = sorted({row["Example"].strip() for row in read_tsv(data_dir / "onet_29_2_technology_skills.tsv")})
    for example in examples:
        add(example, derived_aliases(example))
    with (data_dir / "esco_transversal_skills_collection_en.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            alt = [a.strip() for a in row["altLabels"].split("|") if a.strip()]
            add(row["preferredLabel"].strip(), alt)

    curated = {vocabulary.normalize(a.removeprefix("!")) for d, al in SYNONYMS.items() for a in (d, *al)}

    def mark(alias: str) -> str:
        if alias.startswith("!"):
            return alias
        tokens = vocabulary.tokenize(alias)
        if len(tokens) != 1:
            return alias
        word = tokens[0]
        # Hand-written spellings ("JS", "K8s") are trusted unless listed in NAME_ONLY;
        # derived ones must also be longer than two characters and rare in task statements.
        if word in NAME_ONLY or (
            vocabulary.normalize(alias) not in curated and (len(word) <= 2 or word_tasks[word] > COMMON_WORD_TASKS)
        ):
            return "!" + alias
        return alias

    skills: list[list[object]] = []
    for display in sorted(entries, key=vocabulary.normalize):
        aliases = [mark(a) for a in entries[display] if a.removeprefix("!") != display]
        # The display name itself is an alias too; mark it when it is an ordinary word.
        if mark(display).startswith("!") or f"!{display}" in entries[display]:
            aliases.insert(0, "!" + display)
        skills.append([display, aliases])
    return skills


def build_idf(data_dir: Path) -> dict[str, object]:
    docs: dict[str, list[str]] = defaultdict(list)
    for row in read_tsv(data_dir / "onet_29_2_occupation_data.tsv"):
        docs[row["O*NET-SOC Code"]].extend([row["Title"], row["Description"]])
    for row in read_tsv(data_dir / "onet_29_2_task_statements.tsv"):
        docs[row["O*NET-SOC Code"]].append(row["Task"])
    for row in read_tsv(data_dir / "onet_29_2_technology_skills.tsv"):
        docs[row["O*NET-SOC Code"]].append(row["Example"])
    df: Counter[str] = Counter()
    for code in sorted(docs):
        df.update(set(text_features.features("\n".join(docs[code]))))
    n = len(docs)
    idf = {term: round(math.log((1 + n) / (1 + count)) + 1, 3) for term, count in sorted(df.items()) if count >= MIN_DF}
    return {
        "source": f"{ONET_RELEASE}: occupation data, task statements, technology skills; one document per occupation",
        "documents": n,
        "min_df": MIN_DF,
        "formula": "ln((1 + documents) / (1 + df)) + 1",
        "unknown_idf": round(math.log((1 + n) / 2) + 1, 3),
        "idf": idf,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    skills = build_skills(args.data_dir)
    vocabulary_doc = {
        "sources": [
            f"{ONET_RELEASE}, Technology Skills (CC BY 4.0, USDOL/ETA)",
            f"{ESCO_RELEASE} (© European Union, CC BY 4.0 equivalent)",
            "HotGigs hand-written synonyms (build_vocabulary.py SYNONYMS)",
        ],
        "format": "skills: [display name, [aliases]]; an alias starting with '!' is matched as a name only",
        "skills": skills,
    }
    (OUT_DIR / "skills_vocabulary.json").write_text(
        json.dumps(vocabulary_doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    vocabulary.load.cache_clear()
    text_features.load_idf.cache_clear()
    idf_doc = build_idf(args.data_dir)
    (OUT_DIR / "text_idf.json").write_text(
        json.dumps(idf_doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"{len(skills)} skills, {len(idf_doc['idf'])} idf terms")  # type: ignore[arg-type]  # noqa: T201


if __name__ == "__main__":
    main()
