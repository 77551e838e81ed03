"""The web map: folium builder, templates, self-hosted static assets, UI strings (vi, en)."""
