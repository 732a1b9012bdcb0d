"""Demo deliberation data after the source articles (shared/seeds).

胜阳港 (SYG): 交通路商会's 商情民意直通车 (127 suggestions from an online questionnaire
and offline 恳谈), its 党建联席会 (23 demands settled), 钟楼烟火协会's 商居议事室 with
5 rounds on cooking fumes and the purifier action fanned out to 37 shops with resident
monitors, 摩尔城's quarterly 政企面对面 (18 demands), 永安里's 占道经营 convention in
its comment period. 永嘉国潮 (泉港): the 《商居共建自治公约》 in force, signed.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.demo import DemoContext
from shangquan.core.roles import Role
from shangquan.inspections.models import Rectification
from shangquan.inspections.services.rectifications import (
    rectification_evidence_submit,
    rectification_verify,
)
from shangquan.merchants import services as merchant_services
from shangquan.merchants.models import Merchant, MerchantStaff

from .models import ActionItem, Convention, Meeting, Suggestion
from .services import announcements, conventions, meetings, suggestions, surveys

IDEAS = [
    ("增划步行街周边停车位", "停车"), ("推行错峰停车", "停车"), ("保留“钟楼”城市记忆", "文化"),
    ("管线迁改期间保障商户经营", "改造"), ("增设公共座椅", "环境"), ("夜间照明改造", "环境"),
    ("增加垃圾分类投放点", "环境"), ("规范外摆区域", "秩序"), ("开通共享单车停放区", "停车"),
    ("增加无障碍通道", "改造"), ("步行街跨年活动安全保障", "活动"), ("增设母婴室", "服务"),
]


def load(ctx: DemoContext) -> None:
    if Meeting.objects.filter(district=ctx.district).exists():
        return  # loaded before: the demo is repeatable
    if ctx.district.code == "SYG":
        ctx.progress("  deliberation: 商情民意直通车, 钟楼 5 rounds, 政企面对面, 公约")
        with transaction.atomic():
            _shengyanggang(ctx)
    elif ctx.district.code == "YJGC":
        ctx.progress("  deliberation: 商居共建自治公约")
        with transaction.atomic():
            _quangang(ctx)


def _photo() -> SimpleUploadedFile:
    # a tiny valid JPEG, re-encoded by the evidence service like any upload
    buf = BytesIO()
    Image.new("RGB", (8, 8), "gray").save(buf, format="JPEG")
    return SimpleUploadedFile("purifier.jpg", buf.getvalue(), content_type="image/jpeg")


def _shop_owner(ctx: DemoContext, shop: Merchant, n: int) -> Any:
    """The shop's owner account: its owner, else a demo 经营者 added as its owner staff."""
    if shop.owner_id:
        return shop.owner
    staff = MerchantStaff.objects.filter(merchant=shop, role=MerchantStaff.Role.OWNER)\
        .select_related("user").first()
    if staff is not None:
        return staff.user
    username = ctx.username(f"shop{n:03d}")
    user = (get_user_model().objects.filter(username=username).first()
            or core_services.user_create(actor=SYSTEM, username=username, password=None,
                                         display_name=f"{shop.name}经营者"))
    core_services.membership_grant(actor=SYSTEM, district=ctx.district, user=user,
                                   role=Role.MERCHANT)
    merchant_services.merchant_staff_add(actor=SYSTEM, merchant=shop, user=user,
                                         role=MerchantStaff.Role.OWNER)
    return user


def _shengyanggang(ctx: DemoContext) -> None:
    d, rng, now = ctx.district, ctx.rng, timezone.now()
    committee = ctx.users[Role.COMMITTEE]
    # 交通路商会: 线上问卷 + 线下恳谈, 127 suggestions
    talk = meetings.meeting_create(actor=SYSTEM, district=d, kind=Meeting.Kind.TALK,
                                   title="交通路步行街改造线下恳谈会", place="交通路商会会议室",
                                   starts_at=now - dt.timedelta(days=40), capacity=60)
    meetings.meeting_record(actor=SYSTEM, meeting=talk, minutes="居民、商户代表围绕步行街"
                            "智慧化改造提出建议，现场记录后录入系统。")
    resident = ctx.users[Role.RESIDENT]
    made = []
    for i in range(127):
        title, tag = IDEAS[i % len(IDEAS)]
        title = f"{title}（{i + 1}）"
        if i % 3 == 0:
            s = suggestions.suggestion_enter_offline(
                actor=SYSTEM, district=d, origin=talk, author_name=f"居民{i + 1}", title=title,
                body=f"恳谈会上提出：{title}", topic_tag=tag)
        else:
            s = suggestions.suggestion_submit(actor=resident, district=d, title=title,
                                              body=f"线上问卷：{title}", topic_tag=tag)
        made.append(s)
    for i, s in enumerate(made):
        if i % 10 < 7:
            s = suggestions.suggestion_review(actor=SYSTEM, suggestion=s)
        if i % 10 < 4:
            suggestions.suggestion_accept(actor=SYSTEM, suggestion=s, answer="已纳入步行街改造方案",
                                          project="步行街智慧化改造")
        elif i % 10 == 4:
            suggestions.suggestion_decline(actor=SYSTEM, suggestion=s,
                                           reason="涉及规划红线，暂不具备条件，已向居民说明")
    # a few older open ones are past their answer deadline (the overdue list)
    Suggestion.objects.filter(pk__in=[s.pk for s in made[-5:]]).update(
        answer_due=timezone.localdate() - dt.timedelta(days=3))
    joint = meetings.meeting_create(actor=SYSTEM, district=d, kind=Meeting.Kind.JOINT,
                                    title="步行街改造党建联席会", place="胜阳港街道党群服务中心",
                                    starts_at=now - dt.timedelta(days=30), capacity=40)
    meetings.meeting_record(actor=SYSTEM, meeting=joint, minutes="协调管线迁改、商户经营等诉求",
                            decisions="23 项诉求逐项交办，已全部解决")
    for i in range(23):
        item = meetings.action_create(actor=SYSTEM, district=d, meeting=joint,
                                      title=f"联席会诉求 {i + 1}：管线迁改与商户经营协调",
                                      owner_name="住建部门", due_on=timezone.localdate())
        meetings.action_complete(actor=SYSTEM, item=item, answer="已协调解决")

    # 钟楼烟火协会: 商居议事室, 5 rounds, 37 shops install purifiers, monitors confirm
    council = meetings.council_create(actor=SYSTEM, district=d, name="钟楼烟火商居议事室",
                                      description="商户联盟协会与居民代表定期协商街区重点问题")
    for n in range(4):
        meetings.seat_add(actor=SYSTEM, council=council, kind="resident", name=f"居民代表{n + 1}")
        meetings.seat_add(actor=SYSTEM, council=council, kind="merchant", name=f"商户代表{n + 1}")
    meetings.seat_add(actor=SYSTEM, council=council, kind="community", name="社区网格员")
    meetings.seat_add(actor=SYSTEM, council=council, kind="resident", name="栾女士",
                      user=resident)
    topic = meetings.topic_create(actor=SYSTEM, council=council, title="烧烤油烟扰民治理",
                                  description="居民反映油烟味呛得不敢开窗")
    positions = [
        ("居民：油烟呛人，要求停业整治；商户：担心成本", "", "治理费用由谁承担"),
        ("商户愿意改造，希望分期；居民要求明确时限", "一个月内完成改造", "设备标准"),
        ("协会推荐净化器型号与团购价", "统一采购、商户出资", "验收方式"),
        ("居民代表提出参与验收", "居民参与监督", "日常维护"),
        ("确认方案", "商户出资治理、居民参与监督；37 家一个月内安装", ""),
    ]
    for k, (pos, agreed, open_) in enumerate(positions):
        m = meetings.meeting_create(actor=SYSTEM, district=d, kind=Meeting.Kind.COUNCIL,
                                    council=council, title=f"油烟治理第 {k + 1} 轮协商会",
                                    place="钟楼商居议事室",
                                    starts_at=now - dt.timedelta(days=70 - 7 * k), capacity=20)
        meetings.meeting_record(actor=SYSTEM, meeting=m, minutes=pos, decisions=agreed)
        meetings.round_record(actor=SYSTEM, topic=topic, meeting=m, positions=pos,
                              agreed_points=agreed, open_issues=open_)
    meetings.topic_agree(actor=SYSTEM, topic=topic, consensus="商户出资治理、居民参与监督")
    item = meetings.action_create(actor=SYSTEM, district=d, topic=topic,
                                  title="安装油烟净化器", owner_name="钟楼烟火行业协会",
                                  due_on=timezone.localdate() + dt.timedelta(days=30))
    shops = list(Merchant.objects.filter(district=d).order_by("pk")[:37])
    tasks = meetings.action_fan_out(actor=SYSTEM, item=item, merchants=shops,
                                    deadline=now + dt.timedelta(days=30))
    meetings.monitor_add(actor=SYSTEM, item=item, user=resident, name="栾女士")
    inspector = ctx.department_users.get("scjg") or SYSTEM
    for n, task in enumerate(tasks[:30]):
        # each shop's 经营者 answers its own order with a photo, as on the phone
        owner = _shop_owner(ctx, task.merchant, n)
        order = Rectification.objects.get(pk=task.rectification_id)
        rectification_evidence_submit(actor=owner, district=d, rectification=order,
                                      note="净化器已安装", photos=[_photo()])
        rectification_verify(actor=inspector, district=d, rectification=order)
    for task in tasks[:20]:
        task.refresh_from_db()
        meetings.task_confirm(actor=resident, task=task, note="现场看过，无油烟味")

    # 摩尔城商会: 政企面对面, 18 demands
    face = meetings.meeting_create(actor=SYSTEM, district=d, kind=Meeting.Kind.FACE_TO_FACE,
                                   title="摩尔城商会季度政企面对面", place="摩尔城商会",
                                   starts_at=now - dt.timedelta(days=20), capacity=50)
    owned = Merchant.objects.filter(district=d, owner__isnull=False).first()
    depts = list(ctx.departments.values())
    for i in range(18):
        shop = shops[i % len(shops)]
        item = ActionItem.objects.create(
            district=d, meeting=face, merchant=owned if (owned and i == 0) else shop,
            demand=["直播带货资质办理", "停车泊位不足", "夜间外摆许可"][i % 3],
            title=["直播带货资质办理", "停车泊位不足", "夜间外摆许可"][i % 3],
            owner_name="待交办", due_on=timezone.localdate() + dt.timedelta(days=15))
        meetings.demand_assign(actor=SYSTEM, item=item, department=depts[i % len(depts)],
                               due_on=timezone.localdate() + dt.timedelta(days=15))
        if i < 15:
            meetings.action_complete(actor=SYSTEM, item=item, answer="已协调解决")

    # 永安里商会: 公约表决制 against 占道经营, in its comment period
    c = conventions.convention_create(
        actor=SYSTEM, district=d, title="永安里商户占道经营自律公约",
        text="不占用人行道摆放商品\n外摆不超过店前 1 米\n每日 22 点前收摊并清扫\n违者由商会约谈并公示",
        electorate="merchants")
    conventions.convention_open_comment(actor=SYSTEM, convention=c)
    surveys.survey_create(actor=SYSTEM, district=d, title="步行街改造满意度问卷",
                          intro="交通路商会商情民意直通车", questions=[
                              {"kind": "single", "text": "您的身份", "options": ["居民", "商户", "游客"]},
                              {"kind": "scale", "text": "对改造的满意度", "scale_max": 5},
                              {"kind": "ranking", "text": "最希望优先解决",
                               "options": ["停车", "照明", "卫生"]},
                              {"kind": "text", "text": "其他建议", "required": False}])
    announcements.announcement_publish(actor=committee, district=d, title="夏季食品安全提示",
                                       body="高温季节注意食材冷藏，烧烤摊位配备灭火器。",
                                       kind="food", audience="merchants")
    del rng


def _quangang(ctx: DemoContext) -> None:
    d, now = ctx.district, timezone.now()
    meeting = meetings.meeting_create(actor=SYSTEM, district=d, kind=Meeting.Kind.JOINT,
                                      title="社区、商户、居民三方联席会议", place="山腰街道党群服务中心",
                                      starts_at=now - dt.timedelta(days=60), capacity=80)
    meetings.meeting_record(actor=SYSTEM, meeting=meeting, minutes="共同商议商居共建自治公约",
                            decisions="形成《商居共建自治公约》草案，交商户表决")
    c = conventions.convention_create(
        actor=SYSTEM, district=d, title="商居共建自治公约",
        text="门前三包：包卫生、包秩序、包绿化\n摊位布局：按划线区域经营，不越线\n"
             "市场秩序：明码标价、诚信计量，不欺客宰客", electorate="merchants")
    conventions.convention_open_comment(actor=SYSTEM, convention=c)
    Convention.objects.filter(pk=c.pk).update(comment_opened_at=now - dt.timedelta(days=30))
    c.refresh_from_db()
    c = conventions.convention_open_voting(actor=SYSTEM, convention=c,
                                           closes_at=now + dt.timedelta(days=1))
    shops = list(Merchant.objects.filter(district=d, status=Merchant.Status.OPEN).order_by("pk"))
    officer = ctx.users[Role.COMMITTEE]
    for i, shop in enumerate(shops[: int(len(shops) * 0.7)]):
        conventions.vote_booth(actor=officer, convention=c, licence_no=shop.licence_no,
                               choice="yes" if i % 10 < 8 else "no")
    c = conventions.convention_close(actor=SYSTEM, convention=c)
    if c.status == Convention.Status.ADOPTED:
        c = conventions.convention_enact(actor=SYSTEM, convention=c)
        for n, shop in enumerate(shops[:20]):  # each shop signs online
            conventions.convention_sign(actor=_shop_owner(ctx, shop, n), convention=c,
                                        merchant=shop)
