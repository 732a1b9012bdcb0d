from django.urls import path

from .views import campaigns, inspections, rectifications

app_name = "inspections"

C = "console/<str:code>/inspections/"

urlpatterns = [
    path(C, inspections.inspection_list_view, name="list"),
    path(C + "new/", inspections.inspection_plan_view, name="plan"),
    path(C + "<int:inspection_id>/", inspections.inspection_detail_view, name="detail"),
    path(C + "templates/", inspections.template_list_view, name="templates"),
    path(C + "templates/<int:template_id>/", inspections.template_detail_view, name="template"),
    path(C + "risk/", inspections.risk_view, name="risk"),
    path(C + "mine/", inspections.my_history_view, name="mine"),
    path(C + "merchants/<int:merchant_id>/", inspections.merchant_history_view,
         name="merchant_history"),
    path(C + "rectifications/", rectifications.rectification_list_view, name="rectifications"),
    path(C + "rectifications/<int:rectification_id>/", rectifications.rectification_detail_view,
         name="rectification"),
    path(C + "campaigns/", campaigns.campaign_list_view, name="campaigns"),
    path(C + "campaigns/<int:campaign_id>/", campaigns.campaign_detail_view,
         name="campaign"),
    path(C + "campaigns/<int:campaign_id>/report.<str:fmt>",
         campaigns.campaign_report_view, name="campaign_report"),
]
