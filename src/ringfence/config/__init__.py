"""Config: load one YAML file, validate it strictly, report errors with line numbers."""
from .load import ConfigError, load_config, load_config_text
from .schema import Config

__all__ = ["Config", "ConfigError", "load_config", "load_config_text"]
