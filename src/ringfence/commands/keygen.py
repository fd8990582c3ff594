"""`ringfence keygen`: make an Ed25519 receipt signing key (Pipelock key file formats)."""
from __future__ import annotations

import argparse

HELP = """\
Write a new Ed25519 private key (mode 0600) and its public key (PATH.pub, or PATH with
.key replaced by .pub). Never overwrites an existing file.

Key files use Pipelock's formats, so `pipelock verify-receipt --key` and
`python -m pipelock_verify --key $(...)` accept them. Share only the .pub file.

examples:
  ringfence keygen                         # ~/.ringfence/receipt.key and receipt.pub
  ringfence keygen --out ./keys/ci.key
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("keygen", help="make a receipt signing key", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", metavar="PATH", default="~/.ringfence/receipt.key",
                   help="private key path (default: ~/.ringfence/receipt.key)")
    p.add_argument("--json", action="store_true", help="print the paths and public key as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    import json

    from ..cli import UsageError
    from ..receipts.errors import ReceiptError
    from ..receipts.keys import fingerprint, write_keypair
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
