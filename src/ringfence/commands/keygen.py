"""`ringfence keygen`: make an Ed25519 receipt signing key (Pipelock key file formats)."""
from __future__ import annotations

import argparse

HELP = """\
Write a new Ed25519 private key (mode 0600) and its public key (PATH.pub, or PATH with
.key replaced by .pub). Never overwrites an existing file.

Key files use Pipelock's formats, so `pipelock verify-receipt --key` and
`python -m pipelock_verify --key $(...)` accept them. Share only the .pub file.

Key rotation: `--rotate OLD.key` makes the new key, then (with --receipts DIR) writes a
new chain segment whose first receipt (target ringfence://key/rotate) names the head of
the old key's latest chain in DIR, carries the old key's signature over that link, and
is signed by the new key: both keys sign the hand-over. With --roster FILE the roster
closes the old key's window now and adds the new key from now on (creating the file if
needed). Verify with `ringfence verify DIR --roster FILE`.

Roster file (YAML or JSON):
  version: 1
  keys:
    - name: ci-2026a
      public_key: 64-hex or path/to/key.pub
      valid_from: 2026-01-01T00:00:00Z
      valid_until: 2026-07-01T00:00:00Z      # optional (absent = open-ended)

examples:
  ringfence keygen                         # ~/.ringfence/receipt.key and receipt.pub
  ringfence keygen --out ./keys/ci.key
  ringfence keygen --rotate ./keys/ci.key --out ./keys/ci-2.key --receipts ./receipts --roster roster.json
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("keygen", help="make a receipt signing key", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", metavar="PATH", default="~/.ringfence/receipt.key",
                   help="private key path (default: ~/.ringfence/receipt.key)")
    p.add_argument("--rotate", metavar="OLD_KEY", help="rotate from this private key (see above)")
    p.add_argument("--receipts", metavar="DIR", help="with --rotate: write the rotation segment here")
    p.add_argument("--roster", metavar="FILE", help="with --rotate: update (or create) this roster")
    p.add_argument("--json", action="store_true", help="print the paths and public key as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    import json

    from ..cli import UsageError
    from ..receipts.errors import ReceiptError
    from ..receipts.keys import fingerprint, write_keypair
    if args.rotate:
        return _rotate(args)
    if args.receipts or args.roster:
        raise UsageError("--receipts and --roster go with --rotate OLD_KEY")
    try:
        priv, pub_path, pub = write_keypair(args.out)
    except ReceiptError as e:
        raise UsageError(str(e)) from None
    except OSError as e:
        raise UsageError(f"cannot write key {args.out}: {e.strerror or e}") from None
    if args.json:
        print(json.dumps({"private_key": priv, "public_key_file": pub_path, "public_key_hex": pub.hex(),
                          "fingerprint": fingerprint(pub)}))
    else:
        print(f"private key: {priv} (mode 0600; keep it secret)")
        print(f"public key:  {pub_path}")
        print(f"public hex:  {pub.hex()}")
        print(f"fingerprint: {fingerprint(pub)}")
    return 0


def _rotate(args) -> int:
    import json
    import os

    from ..cli import UsageError
    from ..receipts.errors import ReceiptError
    from ..receipts.rotation import rotate
    if os.path.abspath(os.path.expanduser(args.rotate)) == os.path.abspath(os.path.expanduser(args.out)):
        raise UsageError("--out must name a new key file, not the key being rotated")
    try:
        out = rotate(args.rotate, args.out, args.receipts, args.roster)
    except ReceiptError as e:
        raise UsageError(str(e)) from None
    except OSError as e:
        raise UsageError(f"rotation failed: {e.strerror or e}") from None
    if args.json:
        print(json.dumps(out))
    else:
        print(f"new private key: {out['private_key']} (mode 0600)")
        print(f"new public key:  {out['public_key_hex']}")
        print(f"rotated from:    {out['prior_key']}"
              + (f" (chain {out['prior_session']}, head {out['prior_hash'][:16]}...)" if out['prior_session'] else
                 " (no earlier chain found)"))
        for p in out["segment"]:
            print(f"rotation segment: {p}")
        if out.get("roster"):
            print(f"roster updated:  {out['roster']}")
    return 0
