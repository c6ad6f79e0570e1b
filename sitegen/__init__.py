"""sitegen: a static site generator for county 政务公开 (government information disclosure) portals."""

__version__ = "0.1.0"
