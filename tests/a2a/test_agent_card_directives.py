

def _changed(kind: str) -> dict:
    c = _card()
    s = c["skills"][0]
    if kind == "example":
        s["examples"].append("Categorise this hotel bill")
    elif kind == "tag":
        s["tags"].append("travel")
    elif kind == "skill_added":
        c["skills"].append({"id": "export", "name": "Export", "description": "Exports categories."})
    elif kind == "security_scheme":
        c["securitySchemes"] = {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}
    elif kind == "url":
        c["url"] = "https://eh-mirror.example.net/a2a"
    elif kind == "provider":
        c["provider"] = {"organization": "Example Ltd", "url": "https://example.org"}
    return c


@pytest.mark.parametrize("kind", ["example", "tag", "skill_added", "security_scheme", "url", "provider"])
def test_card_that_changes_after_first_fetch_blocks(kind):
    engine = Engine(Config())
    url = "https://drift.example.com/.well-known/agent-card.json"
    assert not [f for f in engine.a2a.scan_agent_card(url, _card()) if f.action == "block"]
    assert "card_drift" in {f.rule for f in engine.a2a.scan_agent_card(url, _changed(kind)) if f.action == "block"}
    # the same card again (keys reordered) is no drift
    engine2 = Engine(Config())
    engine2.a2a.scan_agent_card(url, _card())
    assert not [f for f in engine2.a2a.scan_agent_card(url, dict(reversed(list(_card().items())))) if f.action == "block"]
