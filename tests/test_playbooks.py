"""Playbooks: loading, validation with precise locations, sandboxed rendering, the transparency check."""

import shutil
from pathlib import Path

import pytest

from statuspage.services.playbooks.check import SAMPLE_SHOP
from statuspage.services.playbooks.composer import Facts, compose
from statuspage.services.playbooks.lint import example_values
from statuspage.services.playbooks.loader import LANGUAGES, load_directory
from statuspage.services.playbooks.messages import transparency_check

ROOT = Path(__file__).resolve().parent.parent / "incidents"
KINDS = {
    "delivery-delay", "website-outage", "payment-failure", "data-breach", "phishing-impersonation",
    "product-recall", "order-error", "planned-maintenance",
}  # fmt: skip


def _copy(tmp_path, kind="delivery-delay") -> Path:
    target = tmp_path / "incidents" / kind
    shutil.copytree(ROOT / kind, target)
    return target


def _facts(**kwargs):
    from statuspage.models import utcnow

    return Facts(
        title="T",
        components=["Delivery"],
        started_at=utcnow(),
        next_update_at=utcnow(),
        link="https://s/x",
        **kwargs,
    )


def test_the_shipped_playbooks_are_complete_and_valid(app_ctx, runner):
    playbooks, problems = load_directory(ROOT)
    assert problems == []
    assert set(playbooks) >= KINDS
    for playbook in playbooks.values():
        assert {lang for _, lang in playbook.templates} == set(LANGUAGES)
    result = runner.invoke(args=["playbooks", "check"])
    assert result.exit_code == 0, result.output
    assert "8 playbooks are valid" in result.output


def test_data_breach_has_the_72_hour_deadlines():
    breach = load_directory(ROOT)[0]["data-breach"]
    assert [d.hours for d in breach.deadlines] == [72, 72]
    assert "GDPR" in breach.deadlines[0].label["en"]


def test_check_reports_file_line_and_problem(runner, tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "playbook.yaml").read_text()
    (folder / "playbook.yaml").write_text(text.replace("impact: minor", "impact: apocalyptic"))
    (folder / "identified.pl.md").write_text("--- what_happened\n{{ nope }} i {{ ''.__class__ }}\n")
    (folder / "monitoring.lv.md").unlink()
    result = runner.invoke(args=["playbooks", "check", "--dir", str(tmp_path / "incidents")])
    assert result.exit_code == 1
    assert "playbook.yaml:" in result.output and "impact" in result.output
    assert "missing template monitoring.lv.md" in result.output


def test_check_finds_template_problems(runner, tmp_path):
    folder = _copy(tmp_path)
    (folder / "identified.pl.md").write_text(
        "--- what_happened\nA {{ nope }} {% import 'x' as y %}\n"
    )
    result = runner.invoke(args=["playbooks", "check", "--dir", str(tmp_path / "incidents")])
    assert result.exit_code == 1
    assert "identified.pl.md:2: undeclared placeholder {{ nope }}" in result.output
    assert "identified.pl.md:2: only {{ name }} placeholders" in result.output
    assert "section “who_is_affected” is missing" in result.output


def test_broken_playbook_does_not_take_the_app_down(tmp_path):
    _copy(tmp_path)
    broken = _copy(tmp_path, "website-outage")
    (broken / "playbook.yaml").write_text("title: [unclosed")
    playbooks, problems = load_directory(tmp_path / "incidents")
    assert list(playbooks) == ["delivery-delay"]
    assert "cannot read" in problems[0].message and problems[0].line == 1


def test_compose_renders_every_language_with_formatted_values(app):
    playbook = load_directory(ROOT)[0]["delivery-delay"]
    raw = example_values(playbook)  # free texts written in each language
    composition = compose(playbook, "identified", list(LANGUAGES), raw, _facts(), SAMPLE_SHOP)
    assert composition.errors == {}
    assert "23 December 2026" in composition.messages["en"].text  # a date, formatted for English
    assert "23 grudnia 2026" in composition.messages["pl"].text  # and for Polish
    assert "help@shop.example" in composition.messages["ar"].text


def test_missing_or_invalid_values_are_errors_not_gaps(app):
    playbook = load_directory(ROOT)[0]["delivery-delay"]
    raw = {v.name: v.example for v in playbook.variables}
    raw["carrier"] = ""
    raw["new_delivery_date"] = "next tuesday"
    composition = compose(playbook, "identified", ["en"], raw, _facts(), SAMPLE_SHOP)
    assert composition.errors["carrier"] == "This is needed for the message."
    assert "YYYY-MM-DD" in composition.errors["new_delivery_date"]
    assert composition.messages == {}


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{% import 'os' as os %}",
        "{{ config }}",
        "<script>x</script>",
    ],
)
def test_template_injection_in_values_is_inert(app, payload):
    playbook = load_directory(ROOT)[0]["delivery-delay"]
    raw = {v.name: v.example for v in playbook.variables} | {"carrier": payload}
    composition = compose(playbook, "investigating", ["en"], raw, _facts(), SAMPLE_SHOP)
    text = composition.messages["en"].text if composition.messages else ""
    assert "subclasses" not in text or payload in text  # printed literally, never evaluated
    assert "<class" not in text


def test_template_injection_in_templates_cannot_execute(app):
    from statuspage.services.playbooks.messages import render_template

    source = "\n".join(
        f"--- {s}\nx"
        for s in (
            "what_happened",
            "who_is_affected",
            "what_we_are_doing",
            "what_you_should_do",
            "next_update",
        )
    )
    evil = source + "\n--- contact\n{{ ''.__class__.__mro__[1].__subclasses__() }}"
    result = render_template(evil, {})
    assert "contact" not in result.sections and result.errors


def test_transparency_check_flags_missing_sections_jargon_and_no_promise(app):
    playbook = load_directory(ROOT)[0]["website-outage"]
    sections = {
        "what_happened": "Due to unforeseen circumstances the shop is down. " + "word " * 300
    }
    findings = {
        f.code: f for f in transparency_check(playbook, "investigating", "en", sections, False)
    }
    assert not findings["section:who_is_affected"].ok
    assert not findings["next_update"].ok
    assert not findings["length"].ok
    assert not findings["jargon"].ok and "unforeseen circumstances" in findings["jargon"].message


def test_a_promise_must_be_written_into_the_message(app, runner, tmp_path):
    playbook = load_directory(ROOT)[0]["website-outage"]
    vague = {"next_update": "We will update you soon."}
    finding = next(
        f
        for f in transparency_check(playbook, "identified", "en", vague, True)
        if f.code == "next_update"
    )
    assert not finding.ok and "names no time" in finding.message
    timed = {"next_update": "Our next update comes by 14:30 (Europe/Riga)."}
    assert all(
        f.ok
        for f in transparency_check(playbook, "identified", "en", timed, True)
        if f.code == "next_update"
    )
    folder = _copy(tmp_path)
    text = (folder / "identified.en.md").read_text()
    (folder / "identified.en.md").write_text(text.replace("{{ next_update_at }}", "soon"))
    result = runner.invoke(args=["playbooks", "check", "--dir", str(tmp_path / "incidents")])
    assert result.exit_code == 1 and "must promise the next update" in result.output


def test_the_length_limit_may_differ_per_stage(app, runner, tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "playbook.yaml").read_text()
    (folder / "playbook.yaml").write_text(
        text.replace("max_words: 250", "max_words: {investigating: 20}")
    )
    playbook = load_directory(tmp_path / "incidents")[0]["delivery-delay"]
    assert playbook.max_words == {
        "investigating": 20,
        "identified": 250,
        "monitoring": 250,
        "resolved": 250,
    }
    sections = {"what_happened": "word " * 30}

    def length(stage):
        return next(
            f
            for f in transparency_check(playbook, stage, "en", sections, True)
            if f.code == "length"
        )

    assert not length("investigating").ok and "at most 20" in length("investigating").message
    assert length("identified").ok
    (folder / "playbook.yaml").write_text(
        text.replace("max_words: 250", "max_words: {shipped: 100}")
    )
    result = runner.invoke(args=["playbooks", "check", "--dir", str(tmp_path / "incidents")])
    assert result.exit_code == 1 and "“shipped” is not one of the stages" in result.output


def test_far_off_years_are_a_clear_error(app):
    from statuspage.services import ServiceError
    from statuspage.services.clock import parse_local

    with pytest.raises(ServiceError, match="between the years"):
        parse_local("0001-01-01T00:30", "Asia/Tokyo")


def test_check_fails_on_a_slip_of_register(runner, tmp_path):
    folder = _copy(tmp_path)
    source = (folder / "identified.pl.md").read_text()
    (folder / "identified.pl.md").write_text(
        source.replace("--- contact\n", "--- contact\nPrzepraszamy Państwa. Czy zamówiłeś?\n", 1)
    )
    english = (folder / "monitoring.en.md").read_text()
    (folder / "monitoring.en.md").write_text(
        english.replace("--- what_you_should_do\n", "--- what_you_should_do\nNothing: relax.\n", 1)
    )
    result = runner.invoke(args=["playbooks", "check", "--dir", str(tmp_path / "incidents")])
    assert result.exit_code == 1
    assert "identified.pl.md:" in result.output and "“Państwa”" in result.output
    assert "“zamówiłeś”" in result.output
    assert "monitoring.en.md:" in result.output and "bare “Nothing:”" in result.output
