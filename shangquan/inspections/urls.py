from django.urls import path

from . import views, views_campaigns, views_rect

app_name = "inspections"

C = "console/<str:code>/inspections/"

urlpatterns = [
    path(C, views.inspection_list_view, name="list"),
    path(C + "new/", views.inspection_plan_view, name="plan"),
    path(C + "<int:inspection_id>/", views.inspection_detail_view, name="detail"),
    path(C + "templates/", views.template_list_view, name="templates"),
    path(C + "templates/<int:template_id>/", views.template_detail_view, name="template"),
    path(C + "risk/", views.risk_view, name="risk"),
    path(C + "mine/", views.my_history_view, name="mine"),
    path(C + "merchants/<int:merchant_id>/", views.merchant_history_view,
         name="merchant_history"),
    path(C + "rectifications/", views_rect.rectification_list_view, name="rectifications"),
    path(C + "rectifications/<int:rectification_id>/", views_rect.rectification_detail_view,
         name="rectification"),
    path(C + "campaigns/", views_campaigns.campaign_list_view, name="campaigns"),
    path(C + "campaigns/<int:campaign_id>/", views_campaigns.campaign_detail_view,
         name="campaign"),
    path(C + "campaigns/<int:campaign_id>/report.<str:fmt>",
         views_campaigns.campaign_report_view, name="campaign_report"),
]
