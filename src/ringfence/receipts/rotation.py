"""Key rotation: a new chain segment, signed by the new key, whose first receipt is
endorsed by the old key and names the old chain's head.

The rotation receipt (v1-base fields): target "ringfence://key/rotate", transport
"receipt_session", layer "key", pattern "key_rotation", and in `intent`:
  key_rotation prior_key=<hex> new_key=<hex> prior_session=<sid> prior_seq=<n>
               prior_hash=<hex|none> prior_sig=<hex>
prior_sig is the old key's Ed25519 signature over
  b"ringfence.key_rotation.v1\\n" + new_key + b"\\n" + prior_hash   (hex strings as ASCII).
The receipt itself is signed by the new key, so both keys sign the link.
"""
from __future__ import annotations

import os
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .keys import load_private_key, public_bytes, write_keypair
from .session import SESSION_TRANSPORT, kv, parse_kv

ROTATE_TARGET = "ringfence://key/rotate"
LABEL = b"ringfence.key_rotation.v1\n"


def endorsement_message(new_key: str, prior_hash: str) -> bytes:
    return LABEL + new_key.encode("ascii") + b"\n" + prior_hash.encode("ascii")


def check_rotation(rec: dict, signer_key: str) -> dict:
    """Verify a rotation record signed by `signer_key`; returns its facts. Raises ValueError."""
    f = parse_kv(rec.get("intent", ""))
    need = ("prior_key", "new_key", "prior_hash", "prior_sig")
    if not all(f.get(k) for k in need):
        raise ValueError("key rotation receipt lacks " + ", ".join(k for k in need if not f.get(k)))
    if f["new_key"] != signer_key:
        raise ValueError("key rotation receipt is not signed by the key it introduces")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(f["prior_key"])).verify(
            bytes.fromhex(f["prior_sig"]), endorsement_message(f["new_key"], f["prior_hash"]))
    except (InvalidSignature, ValueError):
        raise ValueError("key rotation: the old key's endorsement does not verify") from None
    return f


def _latest_chain(directory: str, old_pub: str) -> dict[str, Any]:
    """Head of the most recent valid chain in `directory` signed by old_pub."""
    from .verify import VerifyResult, _run_chain, list_logs
    best: dict[str, Any] = {}
    if not directory or not os.path.isdir(directory):
        return best
    for sid, paths in list_logs(directory).items():
        res = VerifyResult()
        info = _run_chain(paths, old_pub, res)
        if info.get("valid") and res.last_timestamp >= best.get("last", ""):
            best = {"session": sid, "seq": res.final_seq, "hash": info["root_hash"], "last": res.last_timestamp,
                    "first": res.first_timestamp}
    return best


def rotate(old_key_path: str, new_key_path: str, receipts_dir: str | None, roster_path: str | None,
           policy_hash: str = "sha256:none") -> dict[str, Any]:
    """Make a new key, write the rotation segment into receipts_dir, update the roster."""
    from .writer import ReceiptWriter
    old = load_private_key(old_key_path)
    old_pub = public_bytes(old).hex()
    t = time.time()
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))          # the new key signs from here on
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t + 1))    # the old key's last second
    head = _latest_chain(receipts_dir or "", old_pub)
    priv, pub_path, new_pub_b = write_keypair(new_key_path)
    new_pub = new_pub_b.hex()
    prior_hash = head.get("hash") or "none"
    sig = old.sign(endorsement_message(new_pub, prior_hash)).hex()
    out: dict[str, Any] = {"private_key": priv, "public_key_file": pub_path, "public_key_hex": new_pub,
                           "prior_key": old_pub, "prior_session": head.get("session", ""),
                           "prior_hash": prior_hash, "segment": []}
    if receipts_dir:
        os.makedirs(receipts_dir, mode=0o750, exist_ok=True)
        w = ReceiptWriter(receipts_dir, load_private_key(priv), policy_hash=policy_hash, session_id="rotate",
                          fsync="always", checkpoint_every_ms=0)
        facts = {"prior_key": old_pub, "new_key": new_pub, "prior_session": head.get("session", ""),
                 "prior_seq": head.get("seq", ""), "prior_hash": prior_hash, "prior_sig": sig}
        w._control(ROTATE_TARGET, "key_rotation", "key_rotation " + kv(facts), layer="key",
                   transport=SESSION_TRANSPORT)
        w.close("key_rotation")
        out["segment"] = w.paths
    if roster_path:
        from .roster import Roster, RosterKey, load_roster, write_roster
        if os.path.exists(roster_path):
            r = load_roster(roster_path)
            keys = [RosterKey(k.name, k.key, k.valid_from, k.valid_until or (until if k.key == old_pub else ""),
                              k.note) for k in r.keys]
        else:
            keys = [RosterKey("key-1", old_pub, (head.get("first") or now)[:19] + "Z", until, "")]
        if not any(k.key == old_pub for k in keys):
            keys.append(RosterKey(f"key-{len(keys) + 1}", old_pub, (head.get("first") or now)[:19] + "Z", until, ""))
        keys.append(RosterKey(f"key-{len(keys) + 1}", new_pub, now, "",
                              f"rotated from {old_pub[:16]} by ringfence keygen --rotate"))
        write_roster(roster_path, Roster(keys, roster_path))
        out["roster"] = roster_path
    return out
