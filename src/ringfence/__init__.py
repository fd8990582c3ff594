"""ringfence: an egress firewall for AI agents."""

__version__ = "0.1.0"
