"""The example playbooks in playbooks/ are valid and survive export unchanged."""

from pathlib import Path

import pytest

from repapp.playbooks.export import dump_playbook, playbook_content_hash
from repapp.playbooks.loader import forum_keys_in, load_playbook_file, load_playbook_text, validate_paths
from repapp.playbooks.schema import KpiKey, Playbook

PLAYBOOKS = Path(__file__).parents[2] / "playbooks"
FORUMS = Path(__file__).parents[2] / "forums"
EXAMPLES = sorted(PLAYBOOKS.glob("*.yaml"))


def test_three_examples_exist():
    """The car dealer, the telecom operator and the fashion retailer."""
    assert [path.stem for path in EXAMPLES] == ["avtodom-premium", "modnyi-shkaf", "svyaz-plus"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_is_valid(path):
    """Each example loads with its own forum keys declared known."""
    playbook = load_playbook_file(path)
    load_playbook_file(path, known_forums=set(playbook.forums))
    assert playbook.client.slug == path.stem


def test_examples_use_only_forums_defined_in_forums_dir():
    """The examples name forums that exist, so `repapp init` can import them as shipped."""
    known = forum_keys_in(FORUMS)
    if known is None:
        pytest.skip("no forum definitions in forums/")
    assert [str(problem) for problem in validate_paths(EXAMPLES, known)] == []


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_dump_load_dump_is_identity(path):
    """Exported text loads to an equal playbook and exports to the same text again."""
    playbook = load_playbook_file(path)
    dumped = dump_playbook(playbook)
    reloaded = load_playbook_text(dumped, source="dump")
    assert reloaded == playbook
    assert dump_playbook(reloaded) == dumped


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_data_round_trip(path):
    """to_data() is JSON-compatible and from_data() restores an equal playbook."""
    playbook = load_playbook_file(path)
    data = playbook.to_data()
    assert Playbook.from_data(data) == playbook
    assert playbook_content_hash(Playbook.from_data(data)) == playbook_content_hash(playbook)


def test_car_dealer_targets_are_the_seed_second_month():
    """The seed's case report, target for target."""
    playbook = load_playbook_file(PLAYBOOKS / "avtodom-premium.yaml")
    assert playbook.kpis.targets == {
        KpiKey.VIEWS: 3227,
        KpiKey.CLICKS_TO_SITE: 100,
        KpiKey.NEWS_POSTED: 12,
        KpiKey.QUESTIONS: 20,
        KpiKey.PROBLEMS_TOTAL: 2,
        KpiKey.PROBLEMS_SOLVED: 2,
        KpiKey.POSITIVE_REVIEWS: 2,
        KpiKey.MESSAGES_IN_THREAD: 154,
        KpiKey.DISCOUNT_USES: 0,
    }


def test_fashion_retailer_answers_within_forty_minutes_around_the_clock():
    """Seed 000: 40 minutes at most, no business hours."""
    response = load_playbook_file(PLAYBOOKS / "modnyi-shkaf.yaml").regulations.response_time
    assert response.first_response_within == "40m"
    assert response.business_hours is None


def test_example_texts_match_their_own_triggers():
    """A standard answer's trigger fires on a post that asks its question."""
    playbook = load_playbook_file(PLAYBOOKS / "avtodom-premium.yaml")
    answers = {answer.id: answer for answer in playbook.regulations.standard_answers}
    assert answers["test-drive"].triggers.matches("Хочу записаться на ТЕСТ-ДРАЙВ в субботу")
    assert not answers["test-drive"].triggers.matches("Сколько стоит ТО?")
