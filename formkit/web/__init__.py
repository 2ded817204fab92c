"""`formkit serve`: the office's web pages — review queue, forms, records, reports and exports.

Server-rendered Flask + Jinja pages that work without JavaScript (a small script only adds
keyboard shortcuts). All review rules live in `formkit.review`; these views only call them.
"""

from formkit.web.app import create_app

__all__ = ["create_app"]
