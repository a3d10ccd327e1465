"""The flask-htmx extension instance: ``if htmx:`` tells a fragment request from a page."""

from flask_htmx import HTMX

htmx = HTMX()
