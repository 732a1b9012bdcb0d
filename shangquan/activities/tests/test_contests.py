"""Contests: a rubric, judges who score only their own contest within its full marks,
results ranked by the mean of the judges' totals (ties share a rank), frozen at publication
and audited; the console pages, and wrap-up photos without EXIF on the public event page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from shangquan.activities import selectors, services
from shangquan.activities.models import Contest, EventKind, EventPhoto, Score
from shangquan.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory, user_factory

from .factories import event_factory

pytestmark = pytest.mark.django_db


def _contest(persona, judges=2, entries=("红烧肉", "葱油饼", "酸梅汤")):
    committee = persona.people[Role.COMMITTEE]
    event = event_factory(persona, kind=EventKind.CONTEST, title="美食创新大赛")
    contest = services.contest_create(actor=committee, event=event,
                                      criteria=[("口味", 40), ("创意", 30), ("呈现", 30)])
    people = [member_factory(persona.district, Role.RESIDENT) for _ in range(judges)]
    for person in people:
        services.judge_add(actor=committee, contest=contest, user=person, title="烹饪协会专家")
    rows = [services.entry_add(actor=committee, contest=contest, title=t, entrant=f"{t}店")
            for t in entries]
    return contest, people, rows


def _marks(contest, *values):
    return dict(zip([c.pk for c in contest.criteria.all()], values, strict=True))


def test_judges_score_results_are_ranked_with_ties_and_frozen(north):
    committee = north.people[Role.COMMITTEE]
    contest, (a, b), (pork, cake, soup) = _contest(north)
    with pytest.raises(Conflict) as exc:  # not yet judging
        services.score_submit(actor=a, entry=pork, marks=_marks(contest, 30, 20, 20))
    assert exc.value.code == "contest_not_judging"
    contest = services.contest_move(actor=committee, contest=contest, action="judge")
    with pytest.raises(Conflict):  # the rubric is closed once judging starts
        services.criterion_add(actor=committee, contest=contest, name="卫生", max_score=10)
    # judge a: 70, 80, 75; judge b: 80, 70, 74 → means 75.00, 75.00, 74.50
    for judge, values in ((a, [(30, 20, 20), (35, 25, 20), (30, 25, 20)]),
                          (b, [(40, 20, 20), (30, 20, 20), (30, 24, 20)])):
        for entry, marks in zip((pork, cake, soup), values, strict=True):
            services.score_submit(actor=judge, entry=entry, marks=_marks(contest, *marks))
    ranking = selectors.contest_ranking(contest)
    assert [(r["entry"].title, r["rank"], r["score"]) for r in ranking] == [
        ("红烧肉", 1, "75.00"), ("葱油饼", 1, "75.00"), ("酸梅汤", 3, "74.50")]
    # a judge revises their own mark while judging (audited with before and after)
    services.score_submit(actor=b, entry=soup, marks=_marks(contest, 40, 24, 20))
    row = AuditLog.objects.filter(action="activities.score.submit", object_id=str(soup.pk))\
        .order_by("-id").first()
    assert row.before and row.after["marks"]
    contest = services.contest_move(actor=committee, contest=contest, action="publish")
    results = list(selectors.contest_results(contest=contest))
    assert [(e.title, e.rank, e.score) for e in results] == [
        ("酸梅汤", 1, "79.50"), ("红烧肉", 2, "75.00"), ("葱油饼", 2, "75.00")]
    publish = AuditLog.objects.get(action="activities.contest.publish")
    assert publish.after["status"] == "published" and len(publish.after["ranking"]) == 3
    with pytest.raises(Conflict):  # frozen: no mark changes after publication
        services.score_submit(actor=a, entry=pork, marks=_marks(contest, 40, 30, 30))
    assert selectors.contest_results(contest=contest)[0].title == "酸梅汤"


def test_scores_stay_within_the_rubric_and_with_the_contests_own_judges(north):
    committee = north.people[Role.COMMITTEE]
    contest, (a, _b), (pork, *_rest) = _contest(north)
    services.contest_move(actor=committee, contest=contest, action="judge")
    with pytest.raises(ValidationFailed) as exc:  # 41 > full marks 40
        services.score_submit(actor=a, entry=pork, marks=_marks(contest, 41, 10, 10))
    assert exc.value.code == "bad_score"
    with pytest.raises(ValidationFailed) as exc:  # every criterion, or nothing
        services.score_submit(actor=a, entry=pork,
                              marks=dict(list(_marks(contest, 1, 1, 1).items())[:2]))
    assert exc.value.code == "marks_incomplete"
    outsider = north.people[Role.RESIDENT]  # a member, but no judge of this contest
    with pytest.raises(PermissionDenied):
        services.score_submit(actor=outsider, entry=pork, marks=_marks(contest, 1, 1, 1))
    assert not Score.objects.exists()


def test_publication_needs_every_judges_every_mark(north):
    committee = north.people[Role.COMMITTEE]
    contest, (a, _b), entries = _contest(north)
    with pytest.raises(Conflict) as exc:
        services.contest_move(actor=committee, contest=contest, action="publish")
    assert exc.value.code == "invalid_transition" or exc.value.status == 409
    services.contest_move(actor=committee, contest=contest, action="judge")
    for entry in entries:
        services.score_submit(actor=a, entry=entry, marks=_marks(contest, 10, 10, 10))
    with pytest.raises(Conflict) as exc:  # judge b has marked nothing
        services.contest_move(actor=committee, contest=contest, action="publish")
    assert exc.value.code == "scores_missing"
    assert Contest.objects.get(pk=contest.pk).status == "judging"


def test_only_a_contest_event_gets_judging_and_the_rest_cannot_set_it_up(north):
    committee = north.people[Role.COMMITTEE]
    with pytest.raises(ValidationFailed):
        services.contest_create(actor=committee, event=event_factory(north),
                                criteria=[("口味", 40)])
    event = event_factory(north, kind=EventKind.CONTEST)
    with pytest.raises(PermissionDenied):
        services.contest_create(actor=north.people[Role.RESIDENT], event=event,
                                criteria=[("口味", 40)])


def test_another_districts_contest_is_not_found(north, south):
    contest, (a, _b), _entries = _contest(north)
    with pytest.raises(NotFound):
        selectors.access_contest(user=south.people[Role.COMMITTEE], district=south.district,
                                 contest_id=contest.pk)
    with pytest.raises(NotFound):  # a north member who is no judge and no organiser
        selectors.access_contest(user=north.people[Role.MERCHANT], district=north.district,
                                 contest_id=contest.pk)
    assert selectors.access_contest(user=a, district=north.district, contest_id=contest.pk)


def test_console_pages_set_up_score_and_publish(north):
    committee = north.people[Role.COMMITTEE]
    event = event_factory(north, kind=EventKind.CONTEST, title="直播大赛")
    code = north.district.code
    staff = Client()
    staff.force_login(committee)
    url = f"/console/{code}/activities/events/{event.pk}/contest/"
    assert staff.get(url).status_code == 200
    r = staff.post(url, {"action": "create", "rubric": "带货能力 50\n表现力：30\n创意 20"})
    assert r.status_code == 302
    contest = Contest.objects.get(event=event)
    assert [(c.name, c.max_score) for c in contest.criteria.all()] == [
        ("带货能力", 50), ("表现力", 30), ("创意", 20)]
    judge = north.people[Role.RESIDENT]
    assert staff.post(url, {"action": "judge", "user": judge.pk, "title": "电商专家"}
                      ).status_code == 302
    assert staff.post(url, {"action": "judge", "user": south_user_id(north)}).status_code == 404
    for title in ("甲直播间", "乙直播间"):
        assert staff.post(url, {"action": "entry", "title": title, "entrant": title}
                          ).status_code == 302
    assert staff.post(url, {"action": "judge_start"}).status_code == 302
    judge_client = Client()
    judge_client.force_login(judge)
    score_url = f"/console/{code}/activities/contests/{contest.pk}/score/"
    page = judge_client.get(score_url)
    assert page.status_code == 200 and "甲直播间" in page.content.decode()
    crit = list(contest.criteria.all())
    bad = judge_client.post(score_url, {"entry": contest.entries.first().pk,
                                        f"c{crit[0].pk}": "51", f"c{crit[1].pk}": "1",
                                        f"c{crit[2].pk}": "1"})
    assert bad.status_code == 422
    for entry, base in zip(contest.entries.order_by("pk"), (40, 45), strict=True):
        r = judge_client.post(score_url, {"entry": entry.pk, f"c{crit[0].pk}": base,
                                          f"c{crit[1].pk}": "20", f"c{crit[2].pk}": "10"})
        assert r.status_code == 302
    assert staff.post(url, {"action": "publish"}).status_code == 302
    viewer = Client()
    viewer.force_login(north.people[Role.MERCHANT])
    public = viewer.get(f"/d/{code}/events/{event.pk}/").content.decode()
    results = public[public.index('id="results"'):]
    assert results.index("乙直播间") < results.index("甲直播间")


def south_user_id(north) -> int:
    """Someone with no membership in north (a judge from request input must be a member)."""
    return user_factory("no-district-person").pk


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (32.0, 4.0, 7.0), 1: "N"}  # GPS IFD
    exif[0x010F] = "TestCam"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_wrapup_photos_lose_exif_and_show_on_the_public_event_page(north, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    raw = _jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()  # the original does carry EXIF
    event = event_factory(north)
    staff = Client()
    staff.force_login(north.people[Role.COMMITTEE])
    r = staff.post(f"/console/{north.district.code}/activities/events/{event.pk}/",
                   {"action": "wrapup", "summary": "为 30 位老人义诊", "headcount": "28",
                    "photos": [SimpleUploadedFile("a.jpg", raw, "image/jpeg")]})
    assert r.status_code == 302
    photo = EventPhoto.objects.get(event=event)
    with photo.image.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
        assert not stored.getexif() and "exif" not in stored.info
    event.refresh_from_db()
    assert event.headcount == 28
    resident = Client()
    resident.force_login(north.people[Role.RESIDENT])
    page = resident.get(f"/d/{north.district.code}/events/{event.pk}/").content.decode()
    assert photo.image.url in page and "为 30 位老人义诊" in page
    assert AuditLog.objects.filter(action="activities.photo.add").exists()
    # not a photo: refused, nothing stored
    r = staff.post(f"/console/{north.district.code}/activities/events/{event.pk}/",
                   {"action": "wrapup", "summary": "x",
                    "photos": [SimpleUploadedFile("b.jpg", b"not an image", "image/jpeg")]})
    assert EventPhoto.objects.filter(event=event).count() == 1


def test_the_api_runs_a_contest_end_to_end(north, south, api_client):
    committee = north.people[Role.COMMITTEE]
    event = event_factory(north, kind=EventKind.CONTEST, title="技能大赛")
    base = f"/api/v1/districts/{north.district.code}/activities"
    staff = api_client(committee)
    r = staff.post(f"{base}/events/{event.pk}/contest",
                   {"criteria": [{"name": "技艺", "max_score": 60},
                                 {"name": "速度", "max_score": 40}]})
    assert r.status_code == 201, r.content
    contest = r.json()
    cid, (skill, speed) = contest["id"], [c["id"] for c in contest["criteria"]]
    judge = north.people[Role.MERCHANT]
    assert staff.post(f"{base}/contests/{cid}/judges", {"user_id": judge.pk}).status_code == 201
    entries = [staff.post(f"{base}/contests/{cid}/entries",
                          {"title": t, "entrant": t}).json()["id"] for t in ("修鞋", "修表")]
    judge_api = api_client(judge)
    early = judge_api.post(f"{base}/contests/{cid}/entries/{entries[0]}/scores",
                           {"marks": [{"criterion_id": skill, "value": 50},
                                      {"criterion_id": speed, "value": 30}]})
    assert early.status_code == 409 and early.json()["code"] == "contest_not_judging"
    assert staff.post(f"{base}/contests/{cid}/move", {"action": "judge"}).status_code == 200
    over = judge_api.post(f"{base}/contests/{cid}/entries/{entries[0]}/scores",
                          {"marks": [{"criterion_id": skill, "value": 61},
                                     {"criterion_id": speed, "value": 30}]})
    assert over.status_code == 422 and over.json()["code"] == "bad_score"
    for entry, value in zip(entries, (50, 55), strict=True):
        r = judge_api.post(f"{base}/contests/{cid}/entries/{entry}/scores",
                           {"marks": [{"criterion_id": skill, "value": value},
                                      {"criterion_id": speed, "value": 30}]})
        assert r.status_code == 200, r.content
    resident = api_client(north.people[Role.RESIDENT])
    assert resident.get(f"{base}/contests/{cid}/results").status_code == 404  # not yet
    assert staff.post(f"{base}/contests/{cid}/move", {"action": "publish"}).status_code == 200
    results = resident.get(f"{base}/contests/{cid}/results").json()
    assert [(r["title"], r["rank"], r["score"]) for r in results] == [
        ("修表", 1, "85.00"), ("修鞋", 2, "80.00")]
    other = api_client(south.people[Role.COMMITTEE])
    assert other.get(f"/api/v1/districts/{south.district.code}/activities/contests/{cid}"
                     ).status_code == 404
