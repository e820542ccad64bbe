"""slac: a declarative SLA contract compiler and validator."""

from __future__ import annotations

__version__ = "0.1.0"
