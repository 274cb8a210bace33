"""A remote store's credentials: taken from its URL, a variable or a file, and kept out of every message."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from kg.errors import NeedlingError

Auth = tuple[str, str]
"""HTTP Basic credentials: (user, password)."""


class CredentialsError(NeedlingError, ValueError):
    """The credentials are given twice, half, or in a file that cannot be read."""

    code = "store_error"


def split_url(url: str) -> tuple[str, Auth | None]:
    """The URL without its user-info (`http://user:token@host/q` -> `http://host/q`), and the credentials
    it held. The URL alone is what is shown, logged and handed to the HTTP client."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), (unquote(user), unquote(password))


def read_credentials(user: str | None, password: str | None, password_file: Path | None) -> Auth | None:
    """Credentials from NEEDLING_STORE_USER with NEEDLING_STORE_PASSWORD or NEEDLING_STORE_PASSWORD_FILE
    (a file holding the password, as container secrets are mounted; one trailing newline is ignored)."""
    if password is not None and password_file is not None:
        raise CredentialsError("give the store password once: in a variable or in a file, not both")
    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")
        except OSError as exc:
            raise CredentialsError(
                f"cannot read the store password file {password_file}: {exc.strerror}"
            ) from None
    if password is not None and not user:
        raise CredentialsError("a store password needs a user name too (NEEDLING_STORE_USER)")
    return (user, password or "") if user else None


def merge(from_url: Auth | None, given: Auth | None) -> Auth | None:
    if from_url and given:
        raise CredentialsError("the store credentials are given twice: in the URL and in NEEDLING_STORE_USER")
    return from_url or given


def redact(text: str, auth: Auth | None) -> str:
    """The text with the password (and a user name of 3 or more characters) replaced by ***: an endpoint's
    error page or a library's message might echo them."""
    if not auth:
        return text
    for secret in auth:
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
