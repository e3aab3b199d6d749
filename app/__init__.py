"""Gongxue: the school–enterprise cooperation platform for Inner Mongolia's technical schools."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, ConfigError, ProductionConfig, apply_environment


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the application; raises ConfigError when production settings are unsafe."""
    name = (
        config_name or os.environ.get("GONGXUE_ENV") or os.environ.get("FLASK_ENV") or "development"
    )
    if name not in CONFIGS:
        raise ConfigError(f"unknown configuration {name!r}: use one of {', '.join(CONFIGS)}")
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(CONFIGS[name])
    apply_environment(app.config)
    app.config.update(overrides or {})
    app.config["ENV_NAME"] = name
    if name == "production":
        ProductionConfig.check(app.config)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind database, migrations, login, CSRF, Babel and the rate limiter."""
    from app import i18n, models  # noqa: F401
    from app.auth import login as auth_login
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    auth_login.configure(login_manager)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    i18n.register(app)


def register_blueprints(app: Flask) -> None:
    """Mount each domain's blueprint."""
    from app.api import bp as api_bp
    from app.auth.views import bp as auth_bp
    from app.cooperation.views import bp as cooperation_bp
    from app.cooperation.views import verify_bp
    from app.main import bp as main_bp
    from app.notifications.views import bp as notifications_bp
    from app.programme.views import bp as programme_bp
    from app.reference.views import bp as reference_bp
    from app.registry.views import bp as registry_bp
    from app.resources.views import bp as resources_bp
    from app.rounds.views import bp as rounds_bp

    for blueprint in (
        main_bp,
        auth_bp,
        reference_bp,
        registry_bp,
        cooperation_bp,
        verify_bp,
        rounds_bp,
        notifications_bp,
        programme_bp,
        resources_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)


def register_security(app: Flask) -> None:
    """Security headers and error pages."""
    from app import errors, navigation, security

    navigation.register(app)
    security.register(app)
    errors.register(app)


def register_commands(app: Flask) -> None:
    """CLI groups: reference, users, demo."""
    from app.auth.cli import users_cli
    from app.demo import demo_cli
    from app.reference.cli import reference_cli

    app.cli.add_command(reference_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
