"""Interface language: Russian by default, English on request (Flask-Babel)."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel, get_locale

LANGUAGES = ("ru", "en")


def select_locale() -> str:
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if request.path.startswith("/api/"):  # programs say what they read in their headers
        return request.accept_languages.best_match(LANGUAGES, "ru") or "ru"
    return "ru"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
