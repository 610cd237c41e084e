from carrel_profile.adapters.libraries import LibraryDirectory

from .support import ANCHORAGE, libraries


def directory() -> LibraryDirectory:
    return libraries()


def test_every_library_system_of_the_survey_is_loaded_by_state_and_libid() -> None:
    anchorage = directory().library(ANCHORAGE)

    assert len(directory()) == 9248
    assert anchorage is not None
    assert (anchorage.name, anchorage.state) == ("ANCHORAGE PUBLIC LIBRARY", "AK")
    assert anchorage.latitude is not None and 61 < anchorage.latitude < 62


def test_a_name_prefix_finds_libraries_in_any_case() -> None:
    names = [library.name for library in directory().search("anchorage p")]

    assert names == ["ANCHORAGE PUBLIC LIBRARY"]


def test_a_later_word_of_the_name_finds_the_library_too() -> None:
    found = directory().search("star borough", state="AK")

    assert [library.name for library in found] == [
        "FAIRBANKS NORTH STAR BOROUGH PUBLIC LIBRARIES"
    ]


def test_a_search_keeps_to_its_state_and_its_limit() -> None:
    found = directory().search("public", state="TX", limit=5)

    assert len(found) == 5
    assert {library.state for library in found} == {"TX"}


def test_an_empty_prefix_finds_nothing() -> None:
    assert directory().search(" ") == []
