"""`ringfence bench matrix` (generated detection matrix) and `ringfence bench fp`
(false positives on real benign corpora)."""
from __future__ import annotations

import argparse
import json
import sys

HELP_MATRIX = """\
Push every true-positive seed of every detector (DLP rules, injection families, tool-poisoning
families, policy rules, read-then-send chains) through encoding chains up to depth 3 (percent,
base64/base64url, hex, base32, base58, quoted-printable, HTML entities, JSON \\u escapes, byte
arrays, Unicode tag characters, confusables, Ascii85, Base85, uuencode, octal and \\x escapes, ROT13,
MIME encoded-words and wrapped base64, gzip/zlib/deflate/brotli/bzip2/xz/zip, UTF-16) and every carrier
(URL query/path/host labels, headers, cookies, JSON/JSONC/form/multipart/XML/YAML/text bodies,
WebSocket fragments and split messages, SSE events, MCP arguments/results/tool definitions, A2A
parts and agent cards), each expected to block; benign twins (placeholders, hashes, UUIDs,
content ids, publishable keys, prose) through the same cells, expected to allow.

prints: cells covered/total per detector kind, the holes as (detector kind x carrier) rows with
        the encodings that miss, and the least covered detectors
writes: --json FILE with per-detector coverage, every hole and the benign blocks

exit codes: 0 ran, 1 coverage under --fail-under, 2 usage error

examples:
  ringfence bench matrix --json matrix.json
  ringfence bench matrix --kind dlp --detector dlp:aws_access_key_id --max-depth 2
"""

HELP_FP = """\
Measure false positives on real benign text installed on this machine by Debian, PyPI and npm:
HTML docs (/usr/share/doc), man pages (/usr/share/man), README/docs of installed Python packages,
npm READMEs (tests/node/node_modules); every URL found in them; their JSON/YAML files as request
bodies. Pages go through the injection scanner as fetched responses, URLs through the URL
pipeline (no DNS), bodies through outbound DLP. --install first apt-gets documentation packages.

prints: blocks per 10,000 items per corpus with the worst rules (target: at most 10 per 10,000)
writes: --json FILE with samples of every block for review

exit codes: 0 ran, 1 over the target with --fail-over-target, 2 usage error
"""


def register(bsub: argparse._SubParsersAction) -> None:
    m = bsub.add_parser("matrix", help="generated detector x carrier x encoding matrix", description=HELP_MATRIX,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_argument("--json", metavar="FILE", help="write the full report here")
    m.add_argument("--seed", type=int, default=0, help="seed for --sample (default 0: the fixed full matrix)")
    m.add_argument("--kind", action="append", choices=["dlp", "injection", "tool_poison", "policy", "chain"],
                   help="only these detector kinds (repeatable)")
    m.add_argument("--detector", action="append", metavar="ID", help="only this detector, e.g. dlp:jwt (repeatable)")
    m.add_argument("--max-depth", type=int, default=3, choices=[0, 1, 2, 3], help="longest encoding chain (default 3)")
    m.add_argument("--sample", type=float, default=1.0, help="fraction of cells to run (default 1.0: all)")
    m.add_argument("--no-benign", action="store_true", help="skip the benign twins")
    m.add_argument("--fail-under", type=float, metavar="FRACTION", help="exit 1 if covered/total is below this")
    m.set_defaults(func=run_matrix)
    f = bsub.add_parser("fp", help="false positives on real benign corpora (docs, man pages, READMEs, URLs)",
                        description=HELP_FP, formatter_class=argparse.RawDescriptionHelpFormatter)
    f.add_argument("--json", metavar="FILE", help="write the full report (with samples) here")
    f.add_argument("--limit", type=int, default=2000, help="items per corpus (fixed-seed sample; default 2000)")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--install", action="store_true", help="apt-get install Debian documentation packages first (root)")
    f.add_argument("--fail-over-target", action="store_true", help="exit 1 if over 10 blocks per 10,000 items")
    f.set_defaults(func=run_fp)


def run_matrix(args) -> int:
    from ..bench import matrix as M
    if not 0 < args.sample <= 1:
        print("error: --sample must be in (0, 1]", file=sys.stderr)
        return 2
    rep = M.run(kinds=args.kind, detector_ids=args.detector, max_depth=args.max_depth, sample=args.sample,
                seed=args.seed, benign=not args.no_benign)
    print(M.holes_table(rep))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rep, fh, indent=1)
    if args.fail_under is not None and rep["cells"] and rep["covered"] / rep["cells"] < args.fail_under:
        return 1
    return 0


def run_fp(args) -> int:
    from ..bench import fp
    if args.limit < 1:
        print("error: --limit must be >= 1", file=sys.stderr)
        return 2
    if args.install:
        print(f"install: {fp.install()}", file=sys.stderr)
    rep = fp.run(limit=args.limit, seed=args.seed)
    print(fp.table(rep))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rep, fh, indent=1)
    t = rep["total"]
    if args.fail_over_target and t["per_10k"] is not None and t["per_10k"] > t["target_per_10k"]:
        return 1
    return 0
