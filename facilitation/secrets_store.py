"""The signing key: from SECRET_KEY, else a random key kept in instance/ (created on first start).

No key that is written in the source ever signs a cookie: a fresh install gets its own random
key, written once with mode 600 and reused on every start (and by every process sharing the
instance folder), so `make run` needs no set-up and sessions survive restarts.
"""
import os
import secrets

from .config import MIN_PRODUCTION_SECRET_BYTES, SECRET_KEY_FILE, is_production_environment


def _read(path):
    with open(path, "r", encoding="ascii") as handle:
        return handle.read().strip()


def instance_secret(instance_path):
    """The key stored in `instance_path`, created atomically with mode 600 when missing."""
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    if os.path.exists(path):
        key = _read(path)
        if len(key) >= MIN_PRODUCTION_SECRET_BYTES:
            return key
        raise RuntimeError(f"{path} holds no usable key; delete it to have a new one generated")
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    try:
        os.link(temporary, path)  # atomic: two processes starting together agree on one key
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return _read(path)


def resolve_secret_key(app):
    """Set app.secret_key; in production refuse a key shorter than 32 bytes."""
    key = app.config.get("SECRET_KEY")
    if not key:
        key = instance_secret(app.instance_path)
        app.config["SECRET_KEY"] = key
    app.config["IS_PRODUCTION"] = bool(app.config.get("IS_PRODUCTION") or is_production_environment())
    if app.config["IS_PRODUCTION"] and len(str(key).encode("utf-8")) < MIN_PRODUCTION_SECRET_BYTES:
        raise RuntimeError(f"SECRET_KEY must be at least {MIN_PRODUCTION_SECRET_BYTES} bytes in production "
                           "(or leave it unset to use a random key kept in instance/secret_key)")
    return key
