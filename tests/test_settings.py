"""The settings switch: the environment picks SQLite or PostgreSQL, eager or real Celery.

Each case runs in a fresh interpreter so the module-level settings are read anew.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "from totalplace.celery import app;"
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
    " 'name': str(settings.DATABASES['default']['NAME']),"
    " 'eager': app.conf.task_always_eager, 'broker': app.conf.broker_url,"
    " 'debug': settings.DEBUG}))"
)


GOOD_KEY = "a-long-random-production-secret-" + "x" * 40
PRODUCTION_PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({'hosts': settings.ALLOWED_HOSTS,"
    " 'proxy_ssl': settings.SECURE_PROXY_SSL_HEADER}))"
)


def _production(env: dict) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter with exactly these variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "NUM_PROXIES", "DEBUG", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "totalplace.settings.production", **env},
    )


def _settings(env: dict, module: str = "totalplace.settings.base") -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "DEBUG",
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_environment_sqlite_and_eager_celery():
    found = _settings({})
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"].endswith("var/totalplace.sqlite3")
    assert found["eager"] is True
    assert found["debug"] is False


def test_empty_database_url_and_broker_mean_unset():
    found = _settings({"DATABASE_URL": "", "CELERY_BROKER_URL": ""})
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"].endswith("var/totalplace.sqlite3")
    assert found["eager"] is True


def test_database_url_and_broker_switch_to_postgres_and_a_real_worker():
    found = _settings(
        {
            "DATABASE_URL": "postgres://someone@db.example:5432/ledger",
            "CELERY_BROKER_URL": "redis://broker.example:6379/3",
            "DEBUG": "1",
        }
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "ledger"
    assert found["eager"] is False
    assert found["broker"] == "redis://broker.example:6379/3"
    assert found["debug"] is True


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
        | {"DJANGO_SETTINGS_MODULE": "totalplace.settings.production"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_check_deploy_with_production_settings_is_clean():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "totalplace.settings.production",
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "totalplace.example",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "short-but-random-Zq8",
        "a-long-random-production-secret-" + "x" * 17,  # 49 characters
        "dev-only-insecure-key-change-me-0123456789abcdefghij",  # the development default
        "django-insecure-" + "abcdefghij" * 5,
        "ab" * 30,  # long, but not random
    ],
)
def test_production_settings_refuse_a_weak_secret_key(key):
    result = _production({"SECRET_KEY": key, "ALLOWED_HOSTS": "totalplace.example"})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 random characters" in result.stderr


@pytest.mark.parametrize("hosts", [None, "", ",", "*", "totalplace.example,*"])
def test_production_settings_require_the_sites_own_hosts(hosts):
    env = {"SECRET_KEY": GOOD_KEY} | ({} if hosts is None else {"ALLOWED_HOSTS": hosts})
    result = _production(env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_settings_start_with_a_long_key_and_named_hosts():
    result = _production(
        {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "totalplace.example,www.totalplace.example"}
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["hosts"] == ["totalplace.example", "www.totalplace.example"]


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [(None, None), ("0", None), ("1", ["HTTP_X_FORWARDED_PROTO", "https"])],
)
def test_x_forwarded_proto_is_believed_only_behind_a_configured_proxy(proxies, expected):
    """Without a proxy that overwrites it, the header is the client's word: a plain-HTTP
    request could claim to be HTTPS (and get secure cookies over the wire)."""
    env = {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "totalplace.example"}
    result = _production(env | ({} if proxies is None else {"NUM_PROXIES": proxies}))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["proxy_ssl"] == expected
