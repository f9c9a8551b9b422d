"""Rate limits on the public links: guessed tokens meet 429 early, real customers never do."""

import os
import secrets

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from cxloop.conftest import interaction_payload
from cxloop.customers.models import Customer
from cxloop.lib.env import ConfigError, envcache, envrate
from cxloop.surveys.services import opt_out_url
from cxloop.tests.test_loop import survey_path_from_outbox

pytestmark = pytest.mark.django_db

PLENTY = (10_000, 60)


def guess(client: Client, times: int, prefix: str = "/s/") -> list[int]:
    """Try `times` made-up tokens; the status of each answer."""
    return [client.get(f"{prefix}{secrets.token_urlsafe(32)}/").status_code for _ in range(times)]


@pytest.fixture
def link(cast, post_interaction) -> str:
    post_interaction(interaction_payload())
    return survey_path_from_outbox("klant@example.nl")


# Windows are fixed: time stands still so that a slow run cannot cross into the next window.
@time_machine.travel("2026-12-03 10:01:00+01:00", tick=False)
def test_guessing_survey_tokens_meets_429_right_after_the_unknown_limit(cast):
    limit, seconds = settings.CXLOOP_RATELIMIT_UNKNOWN  # the default: 20 per 10 minutes
    assert limit <= 50
    statuses = guess(Client(), 1000)  # what the probe tried in 10 seconds
    assert statuses[:limit] == [404] * limit
    assert set(statuses[limit:]) == {429}
    refused = Client().get("/s/another-guess/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= seconds
    assert "Te veel verzoeken" in refused.content.decode()
    assert "Too many requests" in Client().get("/s/yet-another/?lang=en").content.decode()


@override_settings(CXLOOP_RATELIMIT_UNKNOWN=(5, 600), CXLOOP_RATELIMIT_LINKS=PLENTY)
def test_a_guessing_client_is_stopped_and_others_are_not(cast, link):
    guesser, customer = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="198.51.100.20")
    assert guess(guesser, 8) == [404] * 5 + [429] * 3
    assert guesser.get(link).status_code == 429  # a blocked address is blocked for real links too
    assert customer.get(link).status_code == 200
    assert guess(customer, 1) == [404]


@override_settings(CXLOOP_RATELIMIT_LINKS=(5, 60))
def test_a_real_link_is_limited_per_client_on_get_and_post(cast, link):
    client = Client(REMOTE_ADDR="198.51.100.20")
    statuses = [client.get(link).status_code for _ in range(3)]
    statuses += [client.post(link, {"action": "save"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200, 302, 302, 429]
    assert client.get(f"{link}thanks/").status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.21").get(link).status_code == 200


def test_a_customer_answering_a_survey_never_meets_a_limit(
    cast, link, django_capture_on_commit_callbacks
):
    client = Client()
    assert client.get(f"{link}?nps=9").status_code == 200
    assert (
        client.post(
            link, {f"q{cast.open_question.pk}": "Snel geholpen", "action": "save"}
        ).status_code
        == 302
    )
    assert client.get(link).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(
            link, {f"q{cast.nps_question.pk}": "9", "action": "submit"}, follow=True
        )
    assert submitted.status_code == 200
    assert submitted.redirect_chain[-1][0].startswith(f"{link}thanks/")


@override_settings(CXLOOP_RATELIMIT_UNKNOWN=(3, 600), CXLOOP_RATELIMIT_LINKS=(4, 60))
def test_the_opt_out_link_is_limited(cast):
    customer = Customer.objects.create(chain=cast.chain, key="K-9", email="k9@example.nl")
    path = opt_out_url(customer).removeprefix(settings.BASE_URL)
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    assert guess(guesser, 5, prefix="/o/") == [404, 404, 404, 429, 429]
    client = Client(REMOTE_ADDR="198.51.100.20")
    assert [client.get(path).status_code for _ in range(3)] + [client.post(path).status_code] == [
        200
    ] * 4
    refused = client.post(path)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert (
        Customer.objects.get(pk=customer.pk).opted_out_at is not None
    )  # the one that got through counted


@override_settings(CXLOOP_RATELIMIT_OPT_OUT_API=(3, 60), CXLOOP_RATELIMIT_UNKNOWN=PLENTY)
def test_opt_out_by_key_is_limited_per_client(cast):
    for key in ("K-1", "K-2", "K-3", "K-4"):
        Customer.objects.create(chain=cast.chain, key=key)
    crm = Client(REMOTE_ADDR="198.51.100.20", HTTP_AUTHORIZATION=f"Bearer {cast.partner_key}")
    statuses = [
        crm.post(f"/api/customers/{key}/opt-out").status_code
        for key in ("K-1", "K-2", "K-3", "K-4")
    ]
    assert statuses == [200, 200, 200, 429]
    refused = crm.post("/api/customers/K-4/opt-out")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert "try again in" in refused.json()["detail"]
    assert not Customer.objects.get(key="K-4").opted_out_at
    other = Client(REMOTE_ADDR="198.51.100.21", HTTP_AUTHORIZATION=f"Bearer {cast.partner_key}")
    assert other.post("/api/customers/K-4/opt-out").status_code == 200


@override_settings(CXLOOP_RATELIMIT_OPT_OUT_API=PLENTY, CXLOOP_RATELIMIT_UNKNOWN=(5, 600))
def test_guessing_customer_keys_at_the_opt_out_api_meets_429(cast):
    crm = Client(REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION=f"Bearer {cast.partner_key}")
    statuses = [crm.post(f"/api/customers/K-{n}/opt-out").status_code for n in range(1000, 1008)]
    assert statuses == [404] * 5 + [429] * 3


@override_settings(CXLOOP_RATELIMIT_UNKNOWN=(2, 600), CXLOOP_RATELIMIT_LINKS=PLENTY)
def test_behind_a_proxy_each_forwarded_client_counts_for_itself(cast):
    def via_proxy(client_address: str) -> Client:
        # The proxy appends the address it was reached from; whatever came before can be forged.
        return Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}")

    with override_settings(CXLOOP_TRUSTED_PROXY_COUNT=1):
        assert guess(via_proxy("203.0.113.7"), 3) == [404, 404, 429]
        assert guess(via_proxy("203.0.113.8"), 1) == [404]
    # Without a trusted proxy the header is ignored: forging it gains nothing.
    forged = [
        Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").get("/s/guess/").status_code for n in range(3)
    ]
    assert forged == [404, 404, 429]


@override_settings(CXLOOP_RATELIMIT_UNKNOWN=(2, 600), CXLOOP_RATELIMIT_LINKS=PLENTY)
def test_an_ipv6_client_counts_as_its_whole_64(cast):
    first = Client(REMOTE_ADDR="2001:db8:1:2::10")
    second = Client(REMOTE_ADDR="2001:db8:1:2:ffff::99")
    assert guess(first, 2) + guess(second, 1) == [404, 404, 429]
    assert guess(Client(REMOTE_ADDR="2001:db8:1:3::10"), 1) == [404]


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cxloop_cache",
        }
    },
    CXLOOP_RATELIMIT_UNKNOWN=(3, 600),
    CXLOOP_RATELIMIT_LINKS=PLENTY,
)
def test_the_database_cache_made_by_migrate_holds_the_counters(cast):
    call_command("migrate", verbosity=0)  # creates the cache table after the migrations
    assert "cxloop_cache" in connection.introspection.table_names()
    assert guess(Client(), 5) == [404, 404, 404, 429, 429]
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM cxloop_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any(":rl:link-unknown:" in key for key in keys)
    assert not any("127.0.0.1" in key for key in keys)  # addresses are stored hashed


def redis_url() -> str:
    """A database of the Redis at 127.0.0.1:6379, or skip (fail under CI) when there is none."""
    url = os.environ.get("CXLOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Redis at {url}: {error}")
        pytest.skip(f"no Redis at {url} (set CXLOOP_TEST_REDIS_URL): {error}")
    return url


def test_redis_holds_the_counters_for_every_process(cast):
    url = redis_url()
    prefix = f"cxloop-test-{secrets.token_hex(4)}"
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
    }
    with override_settings(
        CACHES={"default": cache}, CXLOOP_RATELIMIT_UNKNOWN=(3, 600), CXLOOP_RATELIMIT_LINKS=PLENTY
    ):
        try:
            assert guess(Client(), 5) == [404, 404, 404, 429, 429]
            client = caches["default"]._cache.get_client(write=False)
            keys = client.keys(f"{prefix}:*")
            assert keys and all(0 < client.ttl(key) <= 601 for key in keys)
        finally:
            caches["default"]._cache.get_client(write=True).delete(
                *caches["default"]._cache.get_client().keys(f"{prefix}:*")
            )


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    },
    CXLOOP_RATELIMIT_UNKNOWN=(1, 600),
)
def test_a_broken_cache_lets_customers_through_and_says_so_in_the_log(cast, link, caplog):
    pytest.importorskip("redis")
    assert Client().get(link).status_code == 200
    assert guess(Client(), 3) == [404, 404, 404]
    assert "rate-limit cache unavailable" in caplog.text


def test_rates_and_cache_urls_are_read_strictly(monkeypatch):
    for raw, expected in {
        "60/m": (60, 60),
        "20/10m": (20, 600),
        "1000/h": (1000, 3600),
        "5/30s": (5, 30),
        "off": None,
    }.items():
        monkeypatch.setenv("CXLOOP_RATELIMIT_X", raw)
        assert envrate("CXLOOP_RATELIMIT_X", "1/s") == expected
    for raw in ("60", "0/m", "60/w", "x/m", "60/0m", "-1/m"):
        monkeypatch.setenv("CXLOOP_RATELIMIT_X", raw)
        with pytest.raises(ConfigError, match="CXLOOP_RATELIMIT_X"):
            envrate("CXLOOP_RATELIMIT_X", "1/s")
    default = {"BACKEND": "db"}
    monkeypatch.setenv("CXLOOP_CACHE_URL", "redis://cache.internal:6379/2")
    assert envcache("CXLOOP_CACHE_URL", data_default=default)["BACKEND"].endswith("RedisCache")
    monkeypatch.setenv("CXLOOP_CACHE_URL", "memcached://x")
    with pytest.raises(ConfigError, match="CXLOOP_CACHE_URL"):
        envcache("CXLOOP_CACHE_URL", data_default=default)
    monkeypatch.delenv("CXLOOP_CACHE_URL")
    assert envcache("CXLOOP_CACHE_URL", data_default=default) is default


@pytest.mark.django_db(transaction=True)
def test_api_counters_in_the_database_count_and_leave_later_commits_durable(cast):
    from cxloop.lib import ratelimit

    database_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cxloop_cache",
        }
    }
    with override_settings(CACHES=database_cache):
        call_command("createcachetable", verbosity=0)
        caches["default"].clear()
        waits = [ratelimit.hit("api-key", "7", (2, 600)) for _ in range(3)]
        assert waits[:2] == [None, None] and waits[2] is not None and waits[2] > 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM cxloop_cache")
            assert cursor.fetchone()[0] == 1
            if connection.vendor == "postgresql":
                # The counter's commit does not wait for the disk; what the request writes next does.
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone()[0] == "on"
