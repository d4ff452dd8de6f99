"""How dispatch tries again a call that may pass: a bounded number of attempts, with pauses
growing exponentially from ``initial_backoff_s`` up to ``max_backoff_s``, jittered so that the
retries of many calls do not land on a recovering service all at once."""

from collections.abc import Callable
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 8.0

    def retrying(
        self,
        on: type[BaseException] | tuple[type[BaseException], ...],
        before_sleep: Callable[[RetryCallState], None] | None = None,
    ) -> AsyncRetrying:
        """Tries again on the exceptions ``on``; the last one is raised as it is."""
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.initial_backoff_s, max=self.max_backoff_s)
            + wait_random(0, self.initial_backoff_s),
            retry=retry_if_exception_type(on),
            before_sleep=before_sleep,
            reraise=True,
        )
