"""Locale and time-zone selection; Simplified Chinese by default, English one click away."""

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale

from app.common.time import format_local


def select_locale() -> str:
    """The session's choice, else zh_CN (the API honours ?lang= for its messages)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    choice = request.args.get("lang") if request.path.startswith("/api/") else None
    choice = choice or session.get("locale")
    if choice in languages:
        return choice
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Everyone sees times in Asia/Shanghai."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def parenthesised(text: object) -> str:
    """Text in brackets the way the interface's language writes them: full-width （…） in
    Chinese, " (…)" in English, so Chinese names never mix half- and full-width brackets."""
    locale = str(get_locale() or "zh_CN") if has_request_context() else "zh_CN"
    return f"（{text}）" if locale.startswith("zh") else f" ({text})"


def register(app: Flask) -> None:
    """Expose the current locale to templates."""

    app.jinja_env.filters["local_time"] = format_local
    app.jinja_env.filters["paren"] = parenthesised

    @app.context_processor
    def inject_locale():
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "current_locale": locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else "en",
        }
