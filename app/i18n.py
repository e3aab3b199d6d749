"""Locale and time-zone selection; Simplified Chinese by default, English one click away."""

import os

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
    """Compile stale catalogues; expose the current locale to templates."""
    compile_catalogues(os.path.join(app.root_path, "translations"))

    app.jinja_env.filters["local_time"] = format_local
    app.jinja_env.filters["paren"] = parenthesised

    @app.context_processor
    def inject_locale():
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "current_locale": locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else "en",
        }


def compile_catalogues(root: str) -> list[str]:
    """Compile each messages.po under root whose .mo is missing or older; returns those done.

    Production serves Chinese right after `pip install` and `db upgrade`, without `make`: the
    app compiles its catalogues when it starts (written atomically, so that several workers
    starting together are harmless). `pybabel compile` does the same ahead of time.
    """
    import logging
    import os
    import tempfile

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    done = []
    for folder, _dirs, files in os.walk(root):
        if "messages.po" not in files:
            continue
        po_path = os.path.join(folder, "messages.po")
        mo_path = os.path.join(folder, "messages.mo")
        if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
            continue
        try:
            with open(po_path, "rb") as fh:
                catalog = read_po(fh)
            handle, tmp = tempfile.mkstemp(dir=folder, suffix=".mo.tmp")
            with os.fdopen(handle, "wb") as out:
                write_mo(out, catalog, use_fuzzy=True)
            os.replace(tmp, mo_path)
            done.append(mo_path)
        except OSError as exc:  # a read-only tree: the operator compiles with pybabel
            logging.getLogger("gongxue.i18n").warning("cannot compile %s: %s", po_path, exc)
    return done
