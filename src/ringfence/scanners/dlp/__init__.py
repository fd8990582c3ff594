"""Outbound DLP: find secrets in text about to leave.

    matcher   the one multi-pattern pass (rule pre-filters, literals, blob finder)
    views     the views a text is read in, and the layers decoded out of them
              (decoders and normalizers live in ringfence.text, shared by every scanner)
    context   validators that read around a match (field names, placeholders, checksums)
    envs      environment secrets as literals
    seeds     seed-phrase windows
    scanner   DlpScanner
"""
from ...text.blobs import decode_blob, decode_blob_cached, unescape
from ...text.blobs import delimited_hex as decode_delimited_hex
from .context import _SENSITIVE_HINTS, _SENSITIVE_KEY, is_placeholder, secret_like
from .envs import env_secrets
from .matcher import _matcher_for, _names_db, prefilter_pattern
from .scanner import DlpScanner
from .seeds import _member_runs, _windows_of, seed_candidates, vocabulary_reuse
from .views import normalize, split_text

__all__ = ["DlpScanner", "decode_blob", "decode_blob_cached", "decode_delimited_hex", "env_secrets",
           "is_placeholder", "normalize", "prefilter_pattern", "secret_like", "seed_candidates", "split_text",
           "unescape", "vocabulary_reuse"]
