"""Campaign page and API: the same report service (role, audit row) and the same answer to
the same bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shangquan.core.models import AuditLog, Department
from shangquan.core.roles import Role
from shangquan.inspections import services
from shangquan.inspections.models import CampaignTeam, ChecklistTemplate

from .factories import grid_factory, merchant_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(north):
    services.checklist_seed(district=north.district)
    grid = grid_factory(north.district, name="第一十邻铺")
    merchant_factory(north.district, grid=grid, category="小吃")
    today = timezone.localdate()
    return services.campaign_create(
        actor=north.people[Role.COMMITTEE], district=north.district, name="春节三节三清",
        holiday="春节", prep_start=today, start=today + timedelta(days=5),
        end=today + timedelta(days=12), review_end=today + timedelta(days=20), grids=[grid],
        categories=["小吃"],
        templates=list(ChecklistTemplate.objects.filter(district=north.district,
                                                        code__in=["gas"])))


def _reports(district):
    return AuditLog.objects.filter(district=district, action="inspections.campaign.report")


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_report_page_and_api_each_write_one_row(client, north, campaign, api_client, fmt):
    services.campaign_plan_before(actor=north.people[Role.COMMITTEE], district=north.district,
                                  campaign=campaign)
    code = north.district.code
    client.force_login(north.people[Role.STREET])
    page = client.get(f"/console/{code}/inspections/campaigns/{campaign.pk}/report.{fmt}")
    assert page.status_code == 200
    row = _reports(north.district).get()
    assert row.after["format"] == fmt and row.after["rows"] == 1
    assert row.object_id == str(campaign.pk)
    api = api_client(north.people[Role.DEPARTMENT]).get(
        f"/api/v1/districts/{code}/campaigns/{campaign.pk}/report.{fmt}")
    assert api.status_code == 200 and api.content[:2] == page.content[:2]
    assert _reports(north.district).count() == 2


def test_report_refused_alike(client, north, campaign, api_client):
    code = north.district.code
    leader = north.people[Role.GRID_LEADER]
    client.force_login(leader)
    page = client.get(f"/console/{code}/inspections/campaigns/{campaign.pk}/report.xlsx")
    api = api_client(leader).get(f"/api/v1/districts/{code}/campaigns/{campaign.pk}/report.xlsx")
    assert page.status_code == api.status_code == 403
    assert not _reports(north.district).exists()


@pytest.mark.parametrize("field", ["members", "departments", "grids"])
def test_team_with_foreign_ids_is_refused_alike(client, north, south, campaign, api_client,
                                               field):
    code = north.district.code
    foreign = {"members": south.people[Role.DEPARTMENT].pk,
               "departments": Department.objects.filter(district=south.district).first().pk,
               "grids": grid_factory(south.district, name="南门网格").pk}[field]
    committee = north.people[Role.COMMITTEE]
    client.force_login(committee)
    page = client.post(f"/console/{code}/inspections/campaigns/{campaign.pk}/", {
        "action": "team", "name": "联合一组", field: [str(foreign)]})
    api = api_client(committee).post(f"/api/v1/districts/{code}/campaigns/{campaign.pk}/teams",
                                     {"name": "联合一组", f"{field[:-1]}_ids": [foreign]})
    assert page.status_code == api.status_code == 404
    assert api.json()["code"] == "not_found"
    assert api.json()["message"] in page.content.decode()
    assert not CampaignTeam.objects.exists()


def test_team_with_good_ids_is_created_on_the_page(client, north, campaign):
    committee = north.people[Role.COMMITTEE]
    client.force_login(committee)
    inspector = north.people[Role.DEPARTMENT]
    response = client.post(
        f"/console/{north.district.code}/inspections/campaigns/{campaign.pk}/",
        {"action": "team", "name": "联合一组", "members": [str(inspector.pk)],
         "departments": [str(north.department.pk)]})
    assert response.status_code == 302
    team = CampaignTeam.objects.get()
    assert list(team.members.all()) == [inspector]
