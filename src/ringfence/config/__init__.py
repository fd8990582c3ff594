"""Config: load one YAML file, validate it strictly, report errors with line numbers.

Config (the pydantic models) is imported on first use: the built-in defaults
(load_config(None), config.frozen) do without pydantic."""
from .load import ConfigError, load_config, load_config_text

__all__ = ["Config", "ConfigError", "load_config", "load_config_text"]


def __getattr__(name: str):
    if name == "Config":
        from .schema import Config
        return Config
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
