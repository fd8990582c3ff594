"""`ringfence init`: one directory with everything the runtime commands need."""
from __future__ import annotations

import argparse

HELP = """\
Creates (default ~/.ringfence, or --dir):
  receipt.key, receipt.pub   Ed25519 signing key (mode 0600) for signed receipts
  ca/ca.pem, ca/ca.key       the TLS interception CA (key mode 0600)
  config.yaml                config from the preset, pointing at the files here
  evidence/                  where signed receipts go

Idempotent: an existing key, CA or config is kept and reported, never overwritten.
With a key in ~/.ringfence, `ringfence run`, `ringfence exec` and `ringfence mcp proxy`
write signed receipts into ~/.ringfence/evidence unless --no-receipts.

next steps:
  ringfence wrap --client claude-code          route the client's MCP servers through ringfence
  ringfence exec --contain -- <agent command>  run an agent whose only way out is ringfence
"""


def register(sub) -> None:
    p = sub.add_parser("init", help="set up ~/.ringfence: signing key, TLS CA, config, evidence dir",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", metavar="DIR", help="where to set up (default: ~/.ringfence)")
    p.add_argument("--preset", choices=["strict", "balanced", "audit"], default="balanced",
                   help="config preset for a new config.yaml (default: balanced)")
    p.add_argument("--json", action="store_true", help="print what was found and created as JSON")
    p.set_defaults(func=handler)


def _config_text(preset_name: str, lay) -> str:
    from ..config.presets import preset, to_yaml
    cfg = preset(preset_name)
    cfg = cfg.model_copy(update={
        "receipts": cfg.receipts.model_copy(update={"dir": lay.evidence, "signing_key": lay.key}),
        "tls": cfg.tls.model_copy(update={"intercept": True, "ca_dir": lay.ca_dir}),
    })
    return to_yaml(cfg, f"{preset_name} preset, made by ringfence init")


def handler(args) -> int:
    import json
    import os

    from ..cli import UsageError
    from ..home import layout

    lay = layout(args.dir)
    report: dict[str, dict[str, str]] = {}
    try:
        os.makedirs(lay.root, mode=0o700, exist_ok=True)
        if not os.path.isdir(lay.root):
            raise UsageError(f"{lay.root} is not a directory")
        # signing key
        if os.path.lexists(lay.key):
            from ..receipts.keys import load_private_key
            try:
                load_private_key(lay.key)
            except Exception as e:
                raise UsageError(f"{lay.key} exists but is not a usable signing key ({e}); "
                                 "move it away and run init again") from None
            report["signing_key"] = {"status": "found", "path": lay.key}
        else:
            from ..receipts.keys import write_keypair
            write_keypair(lay.key)
            report["signing_key"] = {"status": "created", "path": lay.key}
        report["public_key"] = {"status": "found" if os.path.isfile(lay.pub) else "missing", "path": lay.pub}
        if report["signing_key"]["status"] == "created":
            report["public_key"]["status"] = "created"
        # TLS CA
        from ..proxy.tls import CA_CERT, CA_KEY, init_ca
        cert, key = os.path.join(lay.ca_dir, CA_CERT), os.path.join(lay.ca_dir, CA_KEY)
        if os.path.exists(cert) and os.path.exists(key):
            report["ca"] = {"status": "found", "path": cert}
        elif os.path.exists(cert) or os.path.exists(key):
            raise UsageError(f"{lay.ca_dir} holds only half a CA (ca.pem or ca.key missing); "
                             "move it away and run init again")
        else:
            init_ca(lay.ca_dir)
            report["ca"] = {"status": "created", "path": cert}
        # config
        if os.path.exists(lay.config):
            from ..config import ConfigError, load_config
            try:
                load_config(lay.config)
            except ConfigError as e:
                raise UsageError(f"{lay.config} exists but is invalid:\n{e}") from None
            report["config"] = {"status": "found", "path": lay.config}
        else:
            fd = os.open(lay.config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(_config_text(args.preset, lay))
            report["config"] = {"status": "created", "path": lay.config, "preset": args.preset}
        # evidence dir
        existed = os.path.isdir(lay.evidence)
        os.makedirs(lay.evidence, mode=0o700, exist_ok=True)
        report["evidence"] = {"status": "found" if existed else "created", "path": lay.evidence}
    except OSError as e:
        raise UsageError(f"cannot set up {lay.root}: {e.strerror or e} ({e.filename or ''})") from None
    if args.json:
        print(json.dumps({"dir": lay.root, **report}, indent=2))
        return 0
    names = {"signing_key": "signing key", "public_key": "public key", "ca": "TLS CA",
             "config": "config", "evidence": "evidence dir"}
    for k, v in report.items():
        extra = f" (preset {v['preset']})" if "preset" in v else ""
        print(f"{v['status']:8} {names[k]:13} {v['path']}{extra}")
    print("\nReceipts are now on by default for ringfence run / exec / mcp proxy (into the evidence dir).")
    if args.dir and lay.root != layout().root:
        print(f"This is not the default home: pass --config {lay.config} to the runtime commands.")
    print("Next: ringfence wrap --client claude-code   and   ringfence exec --contain -- <agent>")
    return 0
