"""What the spider makes of a response or a failed request: HTML or not, and why it failed."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.middlewares.skipped import Skipped

_HTML_TYPES = (b"text/html", b"application/xhtml")


def failure_outcome(failure: Failure) -> str | None:
    """The site's stat for a failed request: ``failed/<reason>``, ``skipped/ignored`` (robots.txt
    or another middleware refused it: a choice, not a failure), or ``None`` for a cap or policy
    refusal, which whoever refused it has counted already."""
    if isinstance(failure.value, Skipped):
        return None
    if isinstance(failure.value, IgnoreRequest) and not isinstance(failure.value, HttpError):
        return "skipped/ignored"
    if isinstance(failure.value, HttpError):
        return f"failed/http_{failure.value.response.status}"
    return f"failed/{failure.type.__name__ if failure.type else 'Error'}"


def is_html(response: Response) -> bool:
    content_type = response.headers.get(b"Content-Type") or b""
    return not content_type or any(t in content_type.lower() for t in _HTML_TYPES)


def header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
