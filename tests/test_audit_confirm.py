"""The audit keeps a serious colour finding only when a second reading shows it again
(``grubook_site.audit.confirmed``); here with a stand-in for the browser that answers axe's
runs from a script, so the rule is checked exactly, without a page that changes at a chosen
moment. The browser tests (tests/browser/test_accessibility.py) show that real, lasting
violations of the fixture pages are still reported."""

from grubook_site import audit


def violation(rule, target, impact="serious"):
    return {
        "rule": rule,
        "help": "help",
        "nodes": [{"impact": impact, "target": [target], "html": "<p>", "summary": "ratio 2.1"}],
    }


class ScriptedBrowser:
    """Answers each axe run with the next list of violations."""

    current_url = "http://127.0.0.1/book/page.html"

    def __init__(self, *runs):
        self.runs = list(runs)
        self.asked = []

    def execute_script(self, script, *args):
        return True  # axe is already in the page

    def execute_async_script(self, script, options):
        self.asked.append(options["runOnly"])
        return {"ok": True, "violations": self.runs.pop(0)}


def test_a_colour_finding_seen_twice_is_kept(monkeypatch):
    monkeypatch.setattr(audit.time, "sleep", lambda s: None)
    b = ScriptedBrowser([violation("color-contrast", ".a")], [violation("color-contrast", ".a")])
    found = audit.confirmed(b, audit.run_axe(b), b.current_url)
    assert [f.target for f in found] == [".a"]
    assert b.asked[1] == {"type": "rule", "values": ["color-contrast"]}


def test_a_colour_finding_gone_a_second_later_is_dropped_and_printed(monkeypatch, capsys):
    monkeypatch.setattr(audit.time, "sleep", lambda s: None)
    first = [violation("color-contrast", ".a"), violation("color-contrast", ".b")]
    b = ScriptedBrowser(first, [violation("color-contrast", ".b")])
    found = audit.confirmed(b, audit.run_axe(b), b.current_url)
    assert [f.target for f in found] == [".b"]
    err = capsys.readouterr().err
    assert "not seen a second time" in err and ".a" in err and "ratio 2.1" in err


def test_other_rules_and_minor_colour_findings_are_not_read_again(monkeypatch):
    monkeypatch.setattr(audit.time, "sleep", lambda s: None)
    first = [violation("image-alt", "img"), violation("color-contrast", ".c", impact="minor")]
    b = ScriptedBrowser(first)  # a second run would pop from an empty list
    found = audit.confirmed(b, audit.run_axe(b), b.current_url)
    assert sorted(f.rule for f in found) == ["color-contrast", "image-alt"]
    assert len(b.asked) == 1
