"""`ringfence generate config --preset NAME`: print a complete, commented config."""
from __future__ import annotations

import argparse

HELP = """\
Print a complete config with every setting and its documented default.

presets:
  balanced  the default: block secrets going out, SSRF and injection coming in
  strict    tighter entropy and URL limits, a request rate limit, everything blocks
  audit     detect and receipt everything, but never block (blocks become warnings)

example:
  ringfence generate config --preset strict > ringfence.yaml
  ringfence run --config ringfence.yaml
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="generate a config file from a preset",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["config"], help="what to generate")
    p.add_argument("--preset", default="balanced", choices=["strict", "balanced", "audit"])
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..cli import UsageError
    from ..config.load import load_config_text
    from ..config.presets import preset, to_yaml
    text = to_yaml(preset(args.preset), args.preset)
    load_config_text(text)  # what we print must load back
    if args.output:
        try:
            with open(args.output, "x", encoding="utf-8") as f:
                f.write(text)
        except FileExistsError:
            raise UsageError(f"{args.output} exists; remove it or choose another name") from None
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror or e}") from None
    else:
        print(text, end="")
    return 0
