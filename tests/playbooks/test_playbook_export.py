"""The canonical dump: stable, readable, and faithful for any text a person can write."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from repapp.playbooks.export import dump_playbook, playbook_content_hash, write_playbook
from repapp.playbooks.loader import load_playbook_file, load_playbook_text
from repapp.playbooks.schema import KpiKey

MINIMAL = Path(__file__).parent / "minimal.yaml"


def minimal():
    """Load the small valid playbook the broken examples derive from."""
    return load_playbook_file(MINIMAL)


def test_hash_is_stable_across_loads():
    """Loading the same file twice gives the same hash."""
    assert playbook_content_hash(minimal()) == playbook_content_hash(minimal())
    assert len(playbook_content_hash(minimal())) == 64


def test_hash_changes_when_a_target_changes():
    """Editing one KPI target is a content change."""
    playbook = minimal()
    targets = {**playbook.kpis.targets, KpiKey.QUESTIONS: 21}
    edited = playbook.model_copy(update={"kpis": playbook.kpis.model_copy(update={"targets": targets})})
    assert playbook_content_hash(edited) != playbook_content_hash(playbook)


def test_hash_changes_when_a_text_changes():
    """Editing the signature is a content change."""
    playbook = minimal()
    content = playbook.content.model_copy(update={"signature": "С уважением, команда Тест Авто"})
    assert playbook_content_hash(playbook.model_copy(update={"content": content})) != playbook_content_hash(playbook)


def test_hash_ignores_comments_and_key_order():
    """Only content counts: reordered sections and removed comments hash the same."""
    text = MINIMAL.read_text(encoding="utf-8")
    without_comments = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    kpis_at, approval_at = without_comments.index("kpis:"), without_comments.index("approval:")
    reordered = (
        without_comments[:approval_at] + without_comments[kpis_at:] + "\n" + without_comments[approval_at:kpis_at]
    )
    assert reordered.index("kpis:") < reordered.index("approval:")
    reordered_playbook = load_playbook_text(reordered)
    assert playbook_content_hash(reordered_playbook) == playbook_content_hash(minimal())


def test_dump_keeps_unicode_and_writes_block_texts():
    """Russian stays readable and a multi-line answer is a | block."""
    dumped = dump_playbook(minimal())
    assert "name: Тест Авто\n" in dumped
    assert "      text: |\n        {user}, здравствуйте!" in dumped
    assert "\\u" not in dumped


def test_dump_orders_sections_as_the_schema_and_omits_unset_fields():
    """Sections come in format order; optional fields left unset are not written."""
    dumped = dump_playbook(minimal())
    sections = [line.removesuffix(":") for line in dumped.splitlines() if line and not line[0].isspace()]
    assert sections == [
        "format_version: 1",
        "client",
        "topics",
        "forums",
        "content",
        "contacts",
        "regulations",
        "approval",
        "kpis",
    ]
    assert "phone:" not in dumped
    assert "null" not in dumped


def test_dump_orders_forums_and_kpis_canonically():
    """Forum keys sort alphabetically, KPI keys in their enum order, whatever the source order."""
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "    questions: 20\n    problems_total: 2\n", "    problems_total: 2\n    questions: 20\n"
    )
    assert dump_playbook(load_playbook_text(text)) == dump_playbook(minimal())
    dumped = dump_playbook(minimal())
    assert dumped.index("questions: 20") < dumped.index("problems_total: 2")


def test_write_playbook_writes_utf8(tmp_path):
    """The exported file is the canonical dump and loads back under its slug."""
    path = write_playbook(minimal(), tmp_path / "minimal.yaml")
    assert path.read_bytes() == dump_playbook(minimal()).encode("utf-8")
    assert load_playbook_file(path) == minimal()


# Printable text with line breaks, quotes, colons, hashes, braces and leading/trailing spaces:
# everything that makes a YAML emitter choose between plain, quoted and block styles.
pieces = [*"аБв xyz:#-'\"\n\t[],|>&*!%@`?ё.0«»\\", "😀", "\u200d", "  ", "\n\n", "- ", ": ", " #", "yes", "1.5", "null"]
texts = st.lists(st.sampled_from(pieces), min_size=1, max_size=25).map("".join).filter(str.strip)


@settings(max_examples=100, deadline=None, database=None)
@given(instructions=texts, tone=st.lists(texts, min_size=1, max_size=3))
def test_any_text_survives_the_round_trip(instructions, tone):
    """dump → load → dump is the identity for arbitrary free texts."""
    playbook = minimal()
    situation = playbook.regulations.situations[0].model_copy(update={"instructions": instructions})
    regulations = playbook.regulations.model_copy(update={"situations": [situation]})
    content = playbook.content.model_copy(update={"tone": tone})
    edited = playbook.model_copy(update={"regulations": regulations, "content": content})
    dumped = dump_playbook(edited)
    reloaded = load_playbook_text(dumped)
    assert reloaded == edited
    assert dump_playbook(reloaded) == dumped
