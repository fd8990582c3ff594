"""`ringfence tls init`: create the local CA used for TLS interception."""
from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("tls", help="TLS interception CA (tls init)")
    tsub = p.add_subparsers(dest="tls_command", metavar="SUBCOMMAND")
    init = tsub.add_parser("init", help="create a CA (EC P-256; key mode 0600; never overwrites)")
    init.add_argument("--dir", metavar="DIR", help="where to write ca.pem and ca.key (default: tls.ca_dir)")
    init.add_argument("-c", "--config", metavar="FILE", help="YAML config (for tls.ca_dir)")
    init.set_defaults(func=handler)
    p.set_defaults(func=_usage)


def _usage(args) -> int:
    from ..cli import UsageError
    raise UsageError("usage: ringfence tls init [--dir DIR]")


def handler(args) -> int:
    import sys

    from ..proxy.tls import CaError, init_ca
    from .common import load_config_or_exit

    directory = args.dir or load_config_or_exit(args.config).tls.ca_dir
    try:
        cert, key = init_ca(directory)
    except CaError as e:
        print(f"ringfence: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"ringfence: cannot create the CA in {directory}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"CA certificate: {cert}")
    print(f"CA key (0600): {key}")
    print("Trust the certificate in your agent's client (e.g. curl --cacert, SSL_CERT_FILE),")
    print("then run: ringfence run --intercept")
    return 0
