"""The broader categories of library work, and which skill belongs where.

O*NET and ESCO group skills in ways that suit labour statistics ("Basic
Skills", "Knowledge") rather than the way a librarian sorts her own work, so
Carrel keeps a small curated set of categories of its own. Matching gives
partial credit within a category, and the directory groups skills by it.

How a skill finds its category: every O*NET technology (OCLC, Ex Libris
Voyager, SQL) is "Digital & technology". Any other skill is tested against
the rules below in order, first on its label and then on its curated
synonyms; the first rule with a keyword that starts a word of the text wins
(keywords are folded like the text, so "catalog" also catches "cataloguing").
The order matters and is deliberate: the library-specific areas come first,
so "classify library materials" lands in cataloguing before "library
materials" could pull it into collections, and "manage digital archives" is
an archives skill before it is a digital or a management one. What no rule
catches is "General & transferable".
"""

from carrel_vocabulary.text import fold

CATALOGUING = "cataloguing-metadata"
PRESERVATION = "preservation-archives"
HERITAGE = "museums-heritage"
COLLECTIONS = "collections"
USER_SERVICES = "reference-user-services"
TEACHING = "teaching-outreach"
POLICY = "copyright-policy-law"
RESEARCH = "research-data"
DIGITAL = "digital-technology"
COMMUNICATION = "communication"
MANAGEMENT = "management-leadership"
SUBJECTS = "subject-knowledge"
GENERAL = "general"

CATEGORIES: dict[str, str] = {
    CATALOGUING: "Cataloguing & metadata",
    COLLECTIONS: "Collections & acquisitions",
    USER_SERVICES: "Reference & user services",
    DIGITAL: "Digital & technology",
    PRESERVATION: "Preservation & archives",
    MANAGEMENT: "Management & leadership",
    TEACHING: "Teaching & outreach",
    RESEARCH: "Research & data",
    COMMUNICATION: "Communication",
    POLICY: "Copyright, policy & law",
    HERITAGE: "Museums, art & heritage",
    SUBJECTS: "Subject knowledge",
    GENERAL: "General & transferable",
}

_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        CATALOGUING,
        (
            "classif",
            "catalogu",
            "metadata",
            "semantic tree",
            "taxonom",
            "thesaur",
            "information standard",
            "organise information",
            "knowledge base",
            "index",
            "information access aid",
            "organise library material",
        ),
    ),
    (
        PRESERVATION,
        (
            "archiv",
            "preserv",
            "conserv",
            "record",
            "historical document",
            "collections care",
            "digital curation",
            "store archival",
        ),
    ),
    (
        HERITAGE,
        (
            "art",
            "museum",
            "museolog",
            "exhibition",
            "artefact",
            "cultural",
            "histor",
            "archeolog",
            "fine arts",
        ),
    ),
    (POLICY, ("copyright", "legislation", "law", "data protection", "governance")),
    (
        TEACHING,
        (
            "instruct",
            "teach",
            "educat",
            "train",
            "coach",
            "learning",
            "literacy",
            "school",
            "student",
            "extra curricular",
            "field trip",
            "playground",
            "kindergarten",
            "events",
        ),
    ),
    (
        USER_SERVICES,
        (
            "user",
            "patron",
            "enquir",
            "quer",
            "customer",
            "service orientation",
            "access to information",
            "informational need",
            "library information",
            "overdue",
            "circulation",
            "interlibrary",
            "loan",
        ),
    ),
    (
        COLLECTIONS,
        (
            "collection",
            "acqui",
            "library item",
            "library material",
            "inventory",
            "library list",
            "literature",
            "genre",
            "music",
        ),
    ),
    (
        RESEARCH,
        (
            "research",
            "data",
            "scientific",
            "scholarly",
            "statistic",
            "mathemat",
            "science",
            "metric",
            "publication",
        ),
    ),
    (
        DIGITAL,
        (
            "digit",
            "software",
            "ict",
            "database",
            "information system",
            "information network",
            "computer",
            "programming",
            "technolog",
            "hardware",
            "telecommunication",
            "installation",
            "equipment",
            "troubleshoot",
            "repair",
            "systems",
        ),
    ),
    (
        COMMUNICATION,
        (
            "writ",
            "speak",
            "listen",
            "communicat",
            "persua",
            "social media",
            "marketing",
            "language",
            "audience",
            "reading comprehension",
            "professional text",
            "social perceptive",
            "confer",
            "interact",
            "cooperate",
            "present",
        ),
    ),
    (
        MANAGEMENT,
        (
            "manag",
            "administ",
            "budget",
            "fund",
            "financ",
            "staff",
            "personnel",
            "human resource",
            "recruit",
            "supervis",
            "project",
            "planning",
            "lead",
            "coordinat",
            "negotiat",
            "contract",
            "monitor",
            "operation",
            "decision",
            "economics",
            "sustainab",
            "risk",
            "process improvement",
            "clerical",
            "schedul",
        ),
    ),
    (
        SUBJECTS,
        (
            "biology",
            "chemistry",
            "physics",
            "medicine",
            "psychology",
            "sociology",
            "philosophy",
            "geography",
            "therapy",
            "food",
            "building",
            "mechanical",
            "transportation",
            "public safety",
            "design",
        ),
    ),
)


def category_of(label: str, synonyms: tuple[str, ...], *, technology: bool) -> str:
    """The category id of a skill with this label and these synonyms."""
    if technology:
        return DIGITAL
    for text in (label, *synonyms):
        category = _first_rule_matching(fold(text))
        if category is not None:
            return category
    return GENERAL


def _first_rule_matching(folded: str) -> str | None:
    padded = f" {folded}"
    for category, keywords in _RULES:
        if any(f" {fold(keyword)}" in padded for keyword in keywords):
            return category
    return None
