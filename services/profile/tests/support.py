"""What the profile tests share: the real vocabulary and library directory."""

from pathlib import Path

from carrel_profile.adapters.libraries import LibraryDirectory, load_libraries
from carrel_vocabulary import Vocabulary, load_vocabulary

DATA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data"
CATALOGUING = "esco.classify-library-materials"
METADATA = "esco.develop-information-standards"
ANCHORAGE = "AK:AK0002-011"


def vocabulary() -> Vocabulary:
    return load_vocabulary(DATA_DIR)


def libraries() -> LibraryDirectory:
    return load_libraries(DATA_DIR)
