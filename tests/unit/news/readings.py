"""What the reading tests look at in an extraction: the mentions of a kind, and the people with
their role and affiliation."""


def names(ex, kind):
    return {m.text for m in ex.of_kind(kind)}


def people(ex):
    return {(p.value["name"], p.value["role"], p.value.get("affiliation")) for p in ex.of_kind("person")
            if p.value["name"]}
