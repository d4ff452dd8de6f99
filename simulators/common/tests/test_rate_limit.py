from sim_common.rate_limit import RateLimiter


def test_rate_limiter_refills_over_time() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])

    assert [limiter.allow() for _ in range(3)] == [True, True, False]
    now[0] = 0.5
    assert [limiter.allow() for _ in range(2)] == [True, False]
    assert all(RateLimiter(0).allow() for _ in range(100))


def test_a_rate_below_one_still_lets_one_request_through() -> None:
    now = [0.0]
    limiter = RateLimiter(0.5, clock=lambda: now[0])

    assert [limiter.allow() for _ in range(2)] == [True, False]
    now[0] = 2.0
    assert limiter.allow()
