"""A plain, honest Agent Card that tests plant text into (a fresh copy per call)."""


def honest_card() -> dict:
    return {"name": "Expense Helper", "description": "Categorises receipts.", "url": "https://eh.example.com/a2a",
            "version": "1.0.0", "capabilities": {"streaming": True, "extensions": []},
            "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
            "skills": [{"id": "categorise", "name": "Categorise receipt", "description": "Returns a category.",
                        "tags": ["finance"], "examples": ["Categorise this taxi receipt"]}]}
