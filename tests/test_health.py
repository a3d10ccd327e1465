from redis import Redis


def test_healthz_reports_db_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["db"] == "ok"
    assert body["redis"] == "ok"
    assert body["worker"] == "none"  # no worker runs during unit tests
    assert body["cron"] == "none"
    assert body["down"] == ["worker", "cron"]
    assert body["version"]


def test_healthz_is_503_when_redis_is_unreachable(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    app.extensions["redis"] = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=1)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["redis"] == "error"
    assert response.get_json()["down"] == ["redis"]
