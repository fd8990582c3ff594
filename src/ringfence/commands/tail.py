"""`ringfence tail`: follow evidence logs live, one readable line per decision."""
from __future__ import annotations

import argparse

HELP = """\
Follow the evidence logs in DIR (default: receipts.dir from the config, else the current
directory) and print one line per decision as it is written: new runs' files and rotated
files are picked up as they appear.

  TIME  VERDICT  TRANSPORT METHOD  TARGET  [scanner:rule]  intent  (session, receipt id)

Filters combine (all must match): --blocks, --rule (rule id, or scanner:rule), --host
(the target's host or a subdomain of it), --session (part of the recorder session name).
Session, heartbeat and outcome receipts are shown with --all. --json prints one JSON
object per line: {"session", "file", "record"} with the signed action_record.

tail reads; it does not verify. Use `ringfence verify` or `ringfence report` for that.

examples:
  ringfence tail receipts/ --blocks
  ringfence tail receipts/ --host example.com --json | jq .record.target
  ringfence tail receipts/ --no-follow                # print everything there and exit
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tail", help="follow evidence logs live, one line per decision", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", nargs="?", metavar="DIR", help="receipts directory")
    p.add_argument("-c", "--config", metavar="FILE", help="config whose receipts.dir to follow")
    p.add_argument("--blocks", action="store_true", help="only blocks")
    p.add_argument("--rule", metavar="R", help="only this rule (e.g. aws_access_key_id or dlp:aws_access_key_id)")
    p.add_argument("--host", metavar="H", help="only targets on host H (or its subdomains)")
    p.add_argument("--session", metavar="S", help="only recorder sessions whose name contains S")
    p.add_argument("--all", action="store_true", help="also session, heartbeat and outcome receipts")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("-n", "--lines", type=int, default=None, metavar="N",
                   help="first print the last N matching decisions already there (default 10 when "
                        "following, all with --no-follow; 0 = none)")
    p.add_argument("--no-follow", action="store_true", help="print what is there and exit")
    p.add_argument("--interval", type=float, default=0.2, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args) -> int:
    import os

    from ..cli import UsageError
    d = args.dir
    if not d:
        d = "."
        if args.config:
            from .common import load_config_or_exit
            d = os.path.expanduser(load_config_or_exit(args.config).receipts.dir or ".")
    if not os.path.isdir(d):
        raise UsageError(f"no such directory: {d}")
    if args.lines is not None and args.lines < 0:
        raise UsageError("-n must be >= 0")
    from ..receipts.follow import Follower, Filter
    flt = Filter(blocks=args.blocks, rule=args.rule, host=args.host, session=args.session, controls=args.all)
    fol = Follower(d, flt, as_json=args.json)
    try:
        fol.backlog(args.lines if args.lines is not None else (-1 if args.no_follow else 10))
        if args.no_follow:
            return 0
        fol.follow(args.interval)
    except KeyboardInterrupt:
        return 0
    return 0
