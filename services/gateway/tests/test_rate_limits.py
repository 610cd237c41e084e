"""Rate limits count per route class and per caller."""

from carrel_gateway.adapters.rate_limits import RateLimits


def test_a_caller_past_the_rate_is_refused_with_a_wait() -> None:
    limits = RateLimits("memory://", "2/minute", "100/minute")

    verdicts = [limits.check("sign-in", "address:1.2.3.4") for _ in range(3)]

    assert [v.allowed for v in verdicts] == [True, True, False]
    assert 1 <= verdicts[2].retry_after_seconds <= 61


def test_callers_and_route_classes_are_counted_apart() -> None:
    limits = RateLimits("memory://", "1/minute", "1/minute")

    assert limits.check("sign-in", "address:a").allowed
    assert limits.check("sign-in", "address:b").allowed
    assert limits.check("write", "address:a").allowed
    assert not limits.check("write", "address:a").allowed
