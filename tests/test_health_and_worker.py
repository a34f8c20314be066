import pytest
from django.db import connection
from django.urls import reverse

from ledger.models import Organisation, Place
from ledger.tasks import reference_load
from totalplace.celery import ping


@pytest.mark.django_db
def test_health_reports_each_component(client):
    response = client.get(reverse("health"))
    body = response.json()
    assert response.status_code == 200
    assert body["database"]["status"] == "ok"
    assert body["cache"]["status"] == "ok"
    assert {"broker", "worker", "status"} <= set(body)


@pytest.mark.services
def test_health_sees_the_real_broker_and_worker(client, real_worker):
    body = client.get(reverse("health")).json()
    assert body["database"] == {"status": "ok", "engine": "postgresql"}
    assert body["broker"]["status"] == "ok"
    assert body["worker"]["status"] == "ok"
    assert any(name.startswith(real_worker.queue) for name in body["worker"]["workers"])


@pytest.mark.services
def test_a_task_goes_through_redis_to_a_worker_and_writes_postgres(real_worker):
    assert ping.delay().get(timeout=30) == "pong"
    with connection.cursor() as cursor:  # start from no places, whatever ran before
        cursor.execute("TRUNCATE ledger_place CASCADE")
    assert not Place.objects.exists()
    result = reference_load.delay()
    created = result.get(timeout=120)
    # The worker process wrote these rows; this process reads them back from PostgreSQL.
    assert created["places"] == 380
    assert Place.objects.by_code("16UB").get().name == "Allerdale"
    assert Organisation.objects.filter(home_place__gss_code="E10000006").exists()
    assert result.status == "SUCCESS"
