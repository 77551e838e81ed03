"""Vendor the web map's JS/CSS/font assets into ``web/static/vendor`` (filled in by the web map work)."""

if __name__ == "__main__":
    pass
