"""Land-use benchmark of issue 12: this service, TiPg and pygeoapi side by side (see README.md here)."""
