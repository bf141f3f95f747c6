import pytest

from hotgigs.ai.vocabulary import canonical_skill, skill_display_name, skills_in_text


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["JS", "JavaScript", "javascript ", "ECMAScript"], "javascript"),
        (["TS", "TypeScript"], "typescript"),
        (["Postgres", "PostgreSQL", "psql"], "postgresql"),
        (["K8s", "Kubernetes"], "kubernetes"),
        (["ML", "Machine learning"], "machine learning"),
        (["React.js", "ReactJS", "React", "react js"], "react"),
        (["Node", "Node.js", "NodeJS"], "node.js"),
        (["C#", "C sharp", "CSharp"], "c#"),
        ([".NET", "dotnet", ".NET Core"], ".net"),
        (["Golang", "Go"], "go"),
        (["AWS", "Amazon Web Services"], "amazon web services"),
        (["GCP", "Google Cloud Platform"], "google cloud platform"),
        (["Oracle Java", "Java"], "java"),
        (["Structured query language SQL", "SQL"], "sql"),
    ],
)
def test_spellings_of_a_skill_share_one_key(spellings, key):
    assert {canonical_skill(s) for s in spellings} == {key}


def test_onet_and_esco_entries_are_in_the_vocabulary():
    assert canonical_skill("Microsoft Excel") == canonical_skill("Excel") == "microsoft excel"
    assert canonical_skill("Amazon Web Services AWS software") == "amazon web services"
    assert skill_display_name("javascript") == "JavaScript"
    # ESCO transversal skill with its altLabel.
    assert canonical_skill("advise colleagues") == canonical_skill("give advice to others")


def test_unknown_skills_keep_their_normalized_name():
    assert canonical_skill("  Underwater   Basket Weaving ") == "underwater basket weaving"


def test_free_text_ignores_skills_that_are_ordinary_words():
    text = "I go to work and react quickly; I write Golang, JS and C++ with Postgres. Word and Access too."

    found = skills_in_text(text)

    assert found == ["go", "javascript", "c++", "postgresql"]
