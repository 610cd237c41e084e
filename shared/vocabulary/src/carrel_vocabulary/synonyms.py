"""Other names people use for the skills of the vocabulary.

The sources name skills the way a classification does ("classify library
materials"); people write "cataloguing", "RDA" or "metadata". This curated
list, keyed by the source's label, gives the words a librarian would type.
Each synonym belongs to one skill only, so free text never lands on two
skills for the same word. The data adds its own: a technology whose name ends
in an acronym ("Structured query language SQL") or holds one in brackets
("Online Computer Library Center (OCLC) databases") is also known by it.

Spelling variants (catalog/catalogue, -ize/-ise) need no entry here: the
vocabulary folds them before it compares.
"""

import re

CURATED: dict[str, tuple[str, ...]] = {
    "classify library materials": (
        "cataloguing",
        "cataloguing and classification",
        "copy cataloguing",
        "original cataloguing",
        "descriptive cataloguing",
        "subject cataloguing",
        "classification",
        "Dewey Decimal Classification",
        "Library of Congress Classification",
        "RDA",
        "MARC",
        "MARC21",
        "AACR2",
        "BIBFRAME",
    ),
    "develop information standards": (
        "metadata",
        "metadata standards",
        "metadata schemas",
        "Dublin Core",
        "MODS",
        "METS",
        "metadata creation",
    ),
    "create semantic trees": (
        "taxonomies",
        "thesauri",
        "controlled vocabularies",
        "ontologies",
        "subject headings",
        "knowledge organisation systems",
        "linked data",
        "linked open data",
    ),
    "organise information": ("information organisation", "information architecture"),
    "develop classification systems": ("classification schemes",),
    "manage information access aids": ("finding aids", "indexing", "abstracting"),
    "digitization": ("digitisation", "scanning", "imaging", "digital imaging"),
    "use software for data preservation": ("digital preservation",),
    "digital curation": ("data curation", "research data management"),
    "perform records management": ("records management",),
    "manage archive": ("archives management", "archival processing", "archiving"),
    "conservation techniques": ("book conservation", "book repair", "bookbinding"),
    "arrange interlibrary loans": (
        "interlibrary loan",
        "ILL",
        "resource sharing",
        "document delivery",
    ),
    "collection management": (
        "collection development",
        "weeding",
        "deselection",
        "collection analysis",
    ),
    "select new library items to acquire": ("acquisitions", "materials selection"),
    "buy new library items": ("purchasing", "library purchasing"),
    "negotiate library contracts": ("licensing negotiation", "vendor negotiation"),
    "manage library users queries": (
        "reference",
        "reference services",
        "reference interview",
        "ask a librarian",
        "virtual reference",
    ),
    "provide library information": ("reference desk", "library orientation"),
    "analyse library users' queries": ("user needs analysis",),
    "instruct library users in digital literacy": (
        "information literacy",
        "information literacy instruction",
        "library instruction",
        "digital literacy",
        "bibliographic instruction",
    ),
    "coordinate educational programmes": (
        "library programming",
        "public programming",
        "outreach",
        "community outreach",
    ),
    "Instructing": ("teaching", "instruction"),
    "coach employees": ("coaching", "staff coaching"),
    "train employees": ("staff training", "staff development"),
    "manage staff": ("people management", "line management"),
    "project management": ("project planning", "managing projects"),
    "apply for library funding": ("grant writing", "grants", "grant applications"),
    "manage fundraising activities": ("fundraising", "donor relations"),
    "manage budgets": ("budgeting", "budget management"),
    "apply social media marketing": ("social media", "library marketing"),
    "manage digital libraries": (
        "digital libraries",
        "institutional repositories",
        "repository management",
    ),
    "perform data mining": ("text mining", "text and data mining", "TDM"),
    "analyse big data": ("data analysis", "data analytics"),
    "conduct scholarly research": ("scholarly communication", "literature review"),
    "copyright legislation": ("copyright", "fair use", "fair dealing", "licensing"),
    "respect data protection principles": ("GDPR", "privacy", "data protection"),
    "present exhibition": ("exhibitions", "exhibition curation"),
    "Programming": ("coding", "software development", "Python", "scripting"),
    "Customer and Personal Service": ("customer service",),
    "Online Computer Library Center (OCLC) databases": ("OCLC Connexion",),
    "Ex Libris Group Voyager": ("Voyager", "Ex Libris"),
    "Ex Libris Group Aleph": ("Aleph",),
    "SirsiDynix Symphony": ("Sirsi", "Symphony ILS"),
    "Innovative Interfaces Millennium": ("Millennium ILS", "III Millennium"),
    "Springshare LibGuides": ("LibGuides",),
    "Esri ArcGIS": ("ArcGIS",),
    "Omeka software": ("Omeka",),
    "DiMeMa CONTENTdm": ("CONTENTdm",),
    "Automated circulation systems": ("integrated library systems", "ILS"),
}

_TRAILING_ACRONYM = re.compile(r"\s([A-Z][A-Z0-9+]{1,7})$")
_BRACKETED_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9+]{1,7})\)")


def synonyms_of(label: str) -> tuple[str, ...]:
    """The curated synonyms of a source label and the acronyms it holds."""
    acronyms = _TRAILING_ACRONYM.findall(label) + _BRACKETED_ACRONYM.findall(label)
    found = [*CURATED.get(label, ()), *acronyms]
    return tuple(dict.fromkeys(name for name in found if name != label))
