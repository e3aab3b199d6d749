"""Gongxue: the school–enterprise cooperation platform for Inner Mongolia's technical schools."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, ConfigError, ProductionConfig, apply_environment


class GongxueFlask(Flask):
    """Flask whose production instances refuse debug mode, however it is switched on."""

    @property
    def debug(self) -> bool:
        """Whether debug mode is on (never in production)."""
        return self.config["DEBUG"]

    @debug.setter
    def debug(self, value: bool) -> None:
        if value and self.config.get("ENV_NAME") == "production":
            raise ConfigError("DEBUG must be off in production.")
        self.config["DEBUG"] = value
        if self.config["TEMPLATES_AUTO_RELOAD"] is None:
            self.jinja_env.auto_reload = value


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the application; raises ConfigError when production settings are unsafe."""
    name = (
        config_name or os.environ.get("GONGXUE_ENV") or os.environ.get("FLASK_ENV") or "development"
    )
    if name not in CONFIGS:
        raise ConfigError(f"unknown configuration {name!r}: use one of {', '.join(CONFIGS)}")
    app = GongxueFlask(__name__, instance_relative_config=True)
    app.config.from_object(CONFIGS[name])
    apply_environment(app.config)
    app.config.update(overrides or {})
    app.config["ENV_NAME"] = name
    if name == "production":
        ProductionConfig.check(app.config)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:  # the client address and scheme come from this many proxies' headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind database, migrations, login, CSRF, Babel, the rate limiter and the cache."""
    from app import i18n, models  # noqa: F401
    from app.auth import login as auth_login
    from app.auth import throttle
    from app.common import cache
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    auth_login.configure(login_manager)
    auth_login.register_idle_timeout(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    throttle.init_app(app)
    i18n.register(app)
    cache.configure(app)


def register_blueprints(app: Flask) -> None:
    """Mount each domain's blueprint."""
    from app.account.views import bp as account_bp
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
        account_bp,
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
    from app.common import input as input_guard
    from app.common import requestlog

    navigation.register(app)
    security.register(app)
    errors.register(app)
    input_guard.register(app)
    requestlog.register(app)  # after the guard: its hook goes first and runs for every request


def register_commands(app: Flask) -> None:
    """CLI groups: reference, users, demo."""
    from app.auth.cli import users_cli
    from app.demo import demo_cli
    from app.reference.cli import reference_cli

    app.cli.add_command(reference_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
