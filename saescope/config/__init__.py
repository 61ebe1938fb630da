"""Stage configs: pydantic models whose field descriptions are the CLI help."""

from saescope.config.loading import ConfigError, load_config
from saescope.config.schema import DataConfig, HarvestConfig, ModelConfig, SaescopeConfig

__all__ = ["ConfigError", "DataConfig", "HarvestConfig", "ModelConfig", "SaescopeConfig", "load_config"]
