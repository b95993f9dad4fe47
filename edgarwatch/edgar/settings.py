"""[edgar]: who we are to the SEC, where EDGAR is, and how politely we ask.

sec.gov "Accessing EDGAR Data": every request names a company or person and a
contact email; at most 10 requests per second per client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from edgarwatch.edgar.ratelimit import EFFECTIVE_CEILING
from edgarwatch.settings import EMAIL_RE, setting

SEC_MAX_REQUESTS_PER_SECOND = 10
"""sec.gov "Accessing EDGAR Data": at most 10 requests per second per client."""

_PLACEHOLDER_DOMAINS = re.compile(r"@(?:[\w-]+\.)*(example|your-company)\.\w+$|\.example$", re.I)

_USER_AGENT_MISSING = (
    "the SEC requires every request to name you and give a contact email, "
    'e.g. user_agent = "Acme Research ops@acme.com" (anonymous tools are blocked)'
)


def user_agent(value: str) -> str:
    """A name and a real contact email (not the example's placeholder)."""
    problems = []
    emails = EMAIL_RE.findall(value)
    if not emails:
        problems.append(f"{value!r} has no contact email address; the SEC requires one")
    elif any(_PLACEHOLDER_DOMAINS.search(e) for e in emails):
        problems.append(f"{value!r} is the example placeholder: put your name and real email")
    if len(re.findall(r"[A-Za-z]", EMAIL_RE.sub("", value))) < 2:
        problems.append(f"{value!r} has no name: the SEC requires a company or person name")
    if problems:
        raise ValueError(*problems)
    return value


def within_sec_ceiling(rate: float) -> float:
    if rate > SEC_MAX_REQUESTS_PER_SECOND:
        raise ValueError(
            f"{rate:g} is above the SEC's ceiling of {SEC_MAX_REQUESTS_PER_SECOND} requests "
            "per second (sec.gov 'Accessing EDGAR Data'); the SEC blocks clients that exceed it"
        )
    return float(rate)


@dataclass(frozen=True)
class EdgarSettings:
    """The EDGAR client's settings: identity, hosts, rate, timeouts, retries, caps."""

    user_agent: str = setting(required=_USER_AGENT_MISSING, convert=user_agent)
    base_url: str = setting("https://www.sec.gov", url=True)
    data_url: str = setting("https://data.sec.gov", url=True)
    efts_url: str = setting("https://efts.sec.gov", url=True)
    requests_per_second: float = setting(5.0, minimum=0.1, convert=within_sec_ceiling)
    connect_timeout: float = setting(5.0, minimum=0.1)
    read_timeout: float = setting(30.0, minimum=0.1)
    request_deadline_seconds: float = setting(60.0, minimum=1)
    max_retries: int = setting(4, minimum=0)
    throttle_pause_minutes: float = setting(10.0, minimum=0)
    max_response_bytes: int = setting(64 * 1024 * 1024, minimum=1024)

    def cautions(self) -> Iterator[tuple[str, str]]:
        """Valid, but worth saying: logged at start and shown by check-config."""
        if self.requests_per_second > EFFECTIVE_CEILING:
            yield (
                "requests_per_second",
                f"{self.requests_per_second:g} leaves no margin under the SEC's "
                f"{SEC_MAX_REQUESTS_PER_SECOND} per second for network jitter (clients have "
                f"been blocked at 9.7/s); edgarwatch runs at {EFFECTIVE_CEILING:g} requests per "
                "second instead",
            )
