"""HTTP heads that warcio writes byte for byte, as they went over the wire."""

from __future__ import annotations

from warcio.statusandheaders import StatusAndHeaders


class HeadAsSent(StatusAndHeaders):  # type: ignore[misc]
    """HTTP headers that warcio writes as they were sent, not re-serialised from the fields."""

    def __init__(self, parsed: StatusAndHeaders, raw: bytes) -> None:
        super().__init__(parsed.statusline, parsed.headers, protocol=parsed.protocol)
        self.raw = raw

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        self.headers_buff = self.raw


def as_sent(parsed: StatusAndHeaders, raw: bytes | None) -> StatusAndHeaders:
    return parsed if raw is None else HeadAsSent(parsed, raw)
