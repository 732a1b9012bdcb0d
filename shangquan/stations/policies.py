"""Who may do what with stations, bookings, rooms and wristbands."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.roles import Role

from .states import BOOKING

C, S, D, G = Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER
STAFF = {C, S, D, G}
# The service-day desk: the committee and the departments that receive there.
DESK = {C, D}

policies.register({
    "stations.view": STAFF | {Role.VOLUNTEER},
    "stations.manage": {C},
    # hosts and staff mark amenities and lend items (grid leaders host 党群服务站 in shops)
    "stations.amenity.mark": {C, D, G, Role.MERCHANT},
    "stations.loan.manage": {C, G, Role.VOLUNTEER},
    "stations.occupancy.set": {C, G, Role.VOLUNTEER},
    "stations.desk": DESK,
    "stations.book": {Role.MERCHANT, Role.RESIDENT, Role.VOLUNTEER, Role.ASSOCIATION,
                      Role.COMMUNITY, C},
    "stations.room.book": {C, S, D, Role.ASSOCIATION, Role.COMMUNITY, Role.MERCHANT,
                           Role.VOLUNTEER, G},
    "stations.room.manage": {C},
    "stations.wristband.register": {C, G, Role.VOLUNTEER},
    "stations.wristband.lookup": {C, G, Role.VOLUNTEER, D},
    "stations.booking.export": {C, S, D},
    # duty posts: the committee plans the evening; whoever stands there checks in
    "stations.duty.manage": {C},
    "stations.duty.view": STAFF | {Role.VOLUNTEER},
    # exports beyond bookings
    "stations.loan.export": {C, G},
    "stations.fault.export": {C, S, D},
    "stations.room.export": {C, S},
    "stations.parking.export": {C, S},
})


def _own_post_or_manager(user: Any, post: Any) -> bool:
    """The person on the post checks in; the committee may do it for them."""
    return (post.user_id is not None and post.user_id == getattr(user, "pk", None)) \
        or policies.has_role(user, post.district, C)


policies.register({"stations.duty.check_in": STAFF | {Role.VOLUNTEER}})
policies.rule("stations.duty.check_in", check=_own_post_or_manager)


def _own_booking(user: Any, booking: Any) -> bool:
    return booking.user_id is not None and booking.user_id == getattr(user, "pk", None)


def _desk_for(user: Any, booking: Any) -> bool:
    """The committee, or staff of the department whose service it is."""
    if policies.has_role(user, booking.district, C):
        return True
    dept = booking.slot.service.department_id
    return dept is not None and dept in policies.departments_of(user, booking.district)


policies.register({"stations.booking.cancel": set(Role)})
policies.rule("stations.booking.cancel", check=lambda u, b: _own_booking(u, b)
              or policies.has_role(u, b.district, C),
              machine=BOOKING, transition="cancel")
for _action in ("arrive", "finish", "no_show"):
    policies.register({f"stations.booking.{_action}": DESK})
    policies.rule(f"stations.booking.{_action}", check=_desk_for, machine=BOOKING,
                  transition=_action)


AUDIT_ACTIONS = {
    "stations.station.create": _("新增服务站点"),
    "stations.station.update": _("修改服务站点"),
    "stations.hours.exception": _("设置特殊开放时间"),
    "stations.amenity.set": _("设置便民设施"),
    "stations.amenity.mark": _("设施状态变化"),
    "stations.amenity.fault": _("设施故障报修"),
    "stations.loan.lend": _("物品借出"),
    "stations.loan.return": _("物品归还"),
    "stations.occupancy.set": _("更新车位/仓位占用"),
    "stations.occupancy.reading": _("计数设备上报占用"),
    "stations.device.issue": _("发放车位计数设备令牌"),
    "stations.service.create": _("新增预约事项"),
    "stations.booking.book": _("预约"),
    "stations.booking.waitlist": _("候补预约"),
    "stations.booking.promote": _("候补转正"),
    "stations.booking.confirm": _("确认候补名额"),
    "stations.booking.cancel": _("取消预约"),
    "stations.booking.arrive": _("预约签到"),
    "stations.booking.finish": _("办理完成"),
    "stations.booking.no_show": _("爽约"),
    "stations.booking.walk_in": _("现场取号"),
    "stations.booking.remind": _("预约提醒"),
    "stations.booking.hold_expired": _("候补保留到期"),
    "stations.room.create": _("新增场地"),
    "stations.room.book": _("预订场地"),
    "stations.room.cancel": _("取消场地预订"),
    "stations.wristband.register": _("登记防走失手环"),
    "stations.wristband.lookup": _("查询防走失手环"),
    "stations.wristband.purge": _("清除防走失手环登记"),
    "stations.settings.update": _("修改站点与预约设置"),
    "stations.booking.export": _("导出预约"),
    "stations.duty.create": _("安排值班岗位"),
    "stations.duty.check_in": _("值班到岗"),
    "stations.duty.remove": _("撤销值班岗位"),
    "stations.service.update": _("修改预约事项"),
    "stations.room.update": _("修改场地"),
    "stations.hours.remove": _("删除特殊开放时间"),
    "stations.loan.export": _("导出借用登记"),
    "stations.fault.export": _("导出设施故障"),
    "stations.room.export": _("导出场地预订"),
    "stations.parking.export": _("导出车位占用"),
}
register_actions(AUDIT_ACTIONS)
