"""The ringfence home directory (~/.ringfence, made by `ringfence init`) and the
defaults it implies for the runtime commands (run, exec, mcp proxy):

  receipt.key / receipt.pub   signing key (0600) and its public key
  ca/                         TLS interception CA (ca.pem, ca.key)
  config.yaml                 the config written from a preset
  evidence/                   signed evidence logs

Receipts are on by default whenever the home holds a signing key."""
from __future__ import annotations

import os
from dataclasses import dataclass


def home_dir() -> str:
    return os.path.join(os.path.expanduser("~"), ".ringfence")


@dataclass(frozen=True)
class Layout:
    root: str

    @property
    def key(self) -> str:
        return os.path.join(self.root, "receipt.key")

    @property
    def pub(self) -> str:
        return os.path.join(self.root, "receipt.pub")

    @property
    def ca_dir(self) -> str:
        return os.path.join(self.root, "ca")

    @property
    def config(self) -> str:
        return os.path.join(self.root, "config.yaml")

    @property
    def evidence(self) -> str:
        return os.path.join(self.root, "evidence")


def layout(root: str | None = None) -> Layout:
    return Layout(os.path.abspath(os.path.expanduser(root)) if root else home_dir())


def default_config_path(explicit: str | None) -> str | None:
    """--config if given, else the home's config.yaml when `ringfence init` made one."""
    if explicit:
        return explicit
    p = layout().config
    return p if os.path.isfile(p) else None


def resolve_receipts(receipts: str | None, signing_key: str | None, no_receipts: bool,
                     config) -> tuple[str | None, str | None]:
    """(evidence dir, key path) for a runtime command, or (None, None) for receipts off.

    --no-receipts wins; --receipts DIR uses --signing-key or the config's key;
    --signing-key alone turns receipts on (config receipts.dir, else the home's
    evidence dir); with neither, the config's receipts.dir, else the home's evidence
    dir when the home holds a key. A named key that does not exist is a ValueError."""
    if no_receipts:
        if receipts or signing_key:
            raise ValueError("--no-receipts cannot be combined with --receipts or --signing-key")
        return None, None
    home = layout()
    rc = config.receipts
    if receipts:
        key = signing_key or rc.signing_key
    elif signing_key:
        receipts, key = rc.dir or home.evidence, signing_key
    elif rc.dir:
        receipts, key = rc.dir, rc.signing_key
    elif os.path.isfile(home.key):
        receipts, key = home.evidence, home.key
    else:
        return None, None
    path = os.path.expanduser(key)
    if not os.path.isfile(path):
        raise ValueError(f"signing key {path} not found (make one with `ringfence init` "
                         f"or `ringfence keygen --out {key}`)")
    return receipts, path
