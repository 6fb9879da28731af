"""No instance ever runs with a signing key from the source (issue: forged admin cookies)."""
import os
import stat

import pytest

from facilitation import create_app
from facilitation.config import is_production_environment

SQLITE = {"SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"}


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A private instance folder, and no key or environment name from the caller's shell."""
    for name in ("SECRET_KEY", "HUITAN_ENV", "FLASK_ENV", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return str(tmp_path / "instance")


def test_without_a_key_a_random_one_is_generated_once_and_kept(instance, monkeypatch):
    monkeypatch.setattr("facilitation.INSTANCE_DIR", instance)
    first = create_app(dict(SQLITE))
    second = create_app(dict(SQLITE))
    path = os.path.join(instance, "secret_key")
    assert os.path.exists(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first.secret_key) >= 64 and first.secret_key == second.secret_key
    # nothing that is written in the source signs cookies
    source = open(os.path.join(os.path.dirname(__file__), os.pardir, "facilitation", "config.py")).read()
    assert first.secret_key not in source


@pytest.mark.parametrize("variable,value", [("HUITAN_ENV", "production"), ("HUITAN_ENV", "Production"),
                                            ("HUITAN_ENV", "PRODUCTION"), ("FLASK_ENV", "production")])
def test_production_refuses_a_short_key(instance, monkeypatch, variable, value):
    monkeypatch.setattr("facilitation.INSTANCE_DIR", instance)
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("FLASK_DEBUG", "1")  # never lowers the bar
    assert is_production_environment()
    with pytest.raises(RuntimeError, match="32 bytes"):
        create_app(dict(SQLITE, SECRET_KEY="dev-only-insecure-secret-key"))


def test_production_without_a_key_generates_one_and_sets_secure_cookies(instance, monkeypatch):
    monkeypatch.setattr("facilitation.INSTANCE_DIR", instance)
    monkeypatch.setenv("HUITAN_ENV", "production")
    app = create_app(dict(SQLITE))
    assert len(app.secret_key) >= 64
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_accepts_a_long_key_from_the_environment(instance, monkeypatch):
    monkeypatch.setattr("facilitation.INSTANCE_DIR", instance)
    monkeypatch.setenv("HUITAN_ENV", "production")
    key = "k" * 40
    assert create_app(dict(SQLITE, SECRET_KEY=key)).secret_key == key
