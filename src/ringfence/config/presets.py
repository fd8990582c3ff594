"""Presets: strict, balanced (default) and audit, and a commented YAML writer."""
from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel

from .schema import Config

PRESETS = ("strict", "balanced", "audit")


def preset(name: str) -> Config:
    base = Config()
    if name == "balanced":
        return base
    if name == "audit":
        return base.model_copy(update={"mode": "audit"})
    if name == "strict":
        return base.model_copy(update={
            "mode": "strict",
            "url": base.url.model_copy(update={
                "max_url_length": 2048, "entropy_threshold": 4.0, "subdomain_entropy_threshold": 3.5,
                "requests_per_minute": 30}),
            "injection": base.injection.model_copy(update={"action": "block"}),
            "egress": _strict_egress(),
            "mcp": base.mcp.model_copy(update={k: "block" for k in (
                "tool_poisoning_action", "rug_pull_action", "policy_action", "chain_action")
                if k in type(base.mcp).model_fields}),
        })
    raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")


def _strict_egress():
    """Deny by default; allow package registries and model APIs (config/allowlists.py)."""
    from .allowlists import strict_rules
    from .egress import EgressConfig
    return EgressConfig.model_validate({"default": "deny", "rules": strict_rules()})


def _scalar(v: Any) -> str:
    return yaml.safe_dump(v, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()


def _emit(model: BaseModel, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if field.description:
            out.append(f"{pad}# {field.description}")
        if isinstance(value, BaseModel):
            out.append(f"{pad}{name}:")
            _emit(value, indent + 1, out)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            out.append(f"{pad}{name}:")
            for item in value:
                dumped = yaml.safe_dump(item.model_dump(mode="json"), default_flow_style=False)
                lines = dumped.strip().splitlines()
                out.append(f"{pad}  - {lines[0]}")
                out.extend(f"{pad}    {ln}" for ln in lines[1:])
        elif isinstance(value, dict) and value:
            out.append(f"{pad}{name}:")
            dumped = yaml.safe_dump({k: (v.model_dump(mode='json') if isinstance(v, BaseModel) else v)
                                     for k, v in value.items()}, default_flow_style=False)
            out.extend(f"{pad}  {ln}" for ln in dumped.strip().splitlines())
        else:
            v = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
            out.append(f"{pad}{name}: {_scalar(v)}")


def to_yaml(config: Config, title: str = "") -> str:
    out = [f"# ringfence config{(' (' + title + ')') if title else ''}. Every key is shown with its value;",
           "# unknown keys are errors. Validate with: ringfence check --config FILE --url https://example.com --no-dns",
           ""]
    _emit(config, 0, out)
    return "\n".join(out) + "\n"
