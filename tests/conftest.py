"""Top-level conftest: puts tests/ on sys.path so every test can import shared_corpus."""
