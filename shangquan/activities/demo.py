"""Demo teams, events and party life, after the source articles.

万达紫贞: three volunteer teams (移动信息员, 先“蜂”骑士, 文明诚信商户); the riders' delivery
routes became governance routes; the demo rider earned hours at last week's
志愿服务 (her points come from the confirmed hours). 邻里中心 monthly plan: 创业沙龙,
悦读分享会. 胜阳港: 永安里's 商户义工队 visits the elderly (~70 a year), 交通路商会 repairs
shoes, 摩尔城 pairs merchants with 23 families. 永嘉国潮 (泉港): the six kinds of
六进商圈. 解放碑 (渝中): 主题党日, 党课, 宣讲 and a contest with expert judges.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shangquan.core.actors import system
from shangquan.core.demo import DemoContext
from shangquan.org.models import OrgUnit

from . import services
from .models import Event, EventKind, ServiceLog, SixInto, Team

DEMO = system("demo")

TEAMS = {
    "WDZZ": [("万达紫贞移动信息员", Team.Kind.INFO, "volunteer",
              "商户、物业、保安兼任信息员，第一时间上报问题"),
             ("先“蜂”骑士", Team.Kind.RIDER, "volunteer",
              "外卖、快递骑手把配送路线变成“治理路线”，今年已解决 18 个问题"),
             ("文明诚信商户联盟", Team.Kind.MERCHANT, "merchant", "诚信经营、亮牌服务")],
    "SYG": [("永安里商户义工队", Team.Kind.VOLUNTEER, "merchant",
             "每年走访慰问辖区老人约 70 次"),
            ("交通路商会爱心修鞋队", Team.Kind.VOLUNTEER, "merchant", "免费为居民修鞋"),
            ("摩尔城结对帮扶队", Team.Kind.VOLUNTEER, "merchant", "商户与 23 户困难家庭结对")],
}

# (title, kind, six_into, station, place, days from today, hour, hours, capacity)
EVENTS = {
    "WDZZ": [("骑手驿站志愿服务：文明交通劝导", EventKind.VOLUNTEER, "", "新就业群体驿站",
              "万达广场南门", -6, 9, 3, 20),
             ("创业沙龙：个体户开店第一课", EventKind.BRIEFING, "", "邻里中心", "邻里中心二楼",
              3, 19, 2, 40),
             ("悦读分享会", EventKind.FESTIVAL, "", "邻里中心", "邻里中心书吧", 10, 19, 2, 30),
             ("金街美食创新大赛", EventKind.CONTEST, "", "", "金街步行街", 17, 14, 4, 60)],
    "YJGC": [(f"六进商圈·{label}", EventKind.SIX_INTO, value, "五号商业楼党群服务站",
              "国潮街区广场", 2 + i * 4, 15, 2, 50) for i, (value, label) in
             enumerate(SixInto.choices)],
    "JFB": [("主题党日：重温入党誓词", EventKind.PARTY_DAY, "", "解放碑党群服务中心",
             "解放碑党群服务中心", -3, 9, 2, 40),
            ("党课：网红经济与诚信经营", EventKind.PARTY_LECTURE, "", "解放碑党群服务中心",
             "洪崖洞商户会议室", 5, 15, 2, 60),
            ("政策宣讲：个体工商户扶持政策", EventKind.BRIEFING, "", "", "朝天门广场", 12, 10, 2,
             80),
            ("直播带货大赛", EventKind.CONTEST, "", "", "解放碑步行街", 20, 14, 3, 30)],
    "SYG": [("钟楼烟火志愿服务：夜市秩序引导", EventKind.VOLUNTEER, "", "", "钟楼烟火街区",
             4, 18, 3, 30)],
}

SERVICES = {
    "永安里商户义工队": [(ServiceLog.Kind.ELDERLY, "独居老人", 2, 60, "上门慰问，送米面油")] * 12,
    "交通路商会爱心修鞋队": [(ServiceLog.Kind.SHOES, "", 8, 120, "交通路口免费修鞋")] * 6,
    "摩尔城结对帮扶队": [(ServiceLog.Kind.PAIRING, "结对家庭", 1, 90, "商户结对帮扶困难家庭")] * 8,
}


def load(ctx: DemoContext) -> None:
    district = ctx.district
    if Team.objects.filter(district=district).exists() or \
            Event.objects.filter(district=district).exists():
        return
    teams = {}
    for name, kind, captain_role, description in TEAMS.get(district.code, []):
        teams[name] = services.team_create(actor=DEMO, district=district, name=name, kind=kind,
                                           captain=ctx.users[captain_role],
                                           description=description)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    unit = OrgUnit.objects.filter(district=district).order_by("pk").first()
    for title, kind, six, station, place, days, hour, hours, capacity in EVENTS.get(
            district.code, []):
        starts = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour), tzinfo=tz)
        team = next(iter(teams.values()), None) if kind == EventKind.VOLUNTEER else None
        event = services.event_create(
            actor=DEMO, district=district, title=title, kind=kind, six_into=six,
            station=station, place=place, starts_at=starts,
            ends_at=starts + dt.timedelta(hours=hours), capacity=capacity, team=team,
            unit=unit if kind == EventKind.PARTY_DAY else None,
            organiser=ctx.users["committee"],
            eligibility=Event.Eligibility.ANYONE,
            latitude=district.latitude, longitude=district.longitude)
        services.event_move(actor=DEMO, event=event, action="publish")
        if days < 0:
            _past(ctx, event)
    for name, rows in SERVICES.items():
        team = teams.get(name)
        if team is None:  # another district's team
            continue
        for n, (kind, who, people, minutes, note) in enumerate(rows):
            services.service_log_record(actor=DEMO, team=team, kind=kind,
                                        served_on=today - dt.timedelta(days=7 * n + 2),
                                        beneficiary=who, people=people, minutes=minutes,
                                        note=note)


def _past(ctx: DemoContext, event: Event) -> None:
    """Last week's event: the demo volunteer (a rider) and resident took part; their
    hours are confirmed, which posts their points."""
    district = event.district
    for role in ("volunteer", "resident"):
        services.registration_create(actor=ctx.users[role], event=event)
        services.check_in(actor=DEMO, district=district, token=event.checkin_token,
                          user=ctx.users[role], now=event.starts_at + dt.timedelta(minutes=5))
        services.check_out(actor=DEMO, district=district, token=event.checkin_token,
                           user=ctx.users[role], now=event.ends_at)
    services.event_move(actor=DEMO, event=event, action="close")
    for registration in event.registrations.all():
        services.hours_confirm(actor=DEMO, registration=registration)
    services.event_move(actor=DEMO, event=event, action="finish")
    services.event_wrapup(actor=DEMO, event=event,
                          summary="参加者按时签到签退，志愿时长已确认并计入积分。")
