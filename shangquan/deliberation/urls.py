from django.urls import path

from .views import booth, console, manage, public

app_name = "deliberation"

urlpatterns = [
    # staff console
    path("console/<str:code>/deliberation/", console.home_view, name="home"),
    path("console/<str:code>/deliberation/suggestions/", console.suggestions_view,
         name="suggestions"),
    path("console/<str:code>/deliberation/suggestions/<int:pk>/", console.suggestion_view,
         name="suggestion"),
    path("console/<str:code>/deliberation/topics/<int:pk>/", console.topic_view, name="topic"),
    path("console/<str:code>/deliberation/councils/", manage.councils_view, name="councils"),
    path("console/<str:code>/deliberation/councils/<int:pk>/", manage.council_view,
         name="council"),
    path("console/<str:code>/deliberation/meetings/", manage.meetings_view, name="meetings"),
    path("console/<str:code>/deliberation/meetings/<int:pk>/", manage.meeting_view,
         name="meeting"),
    path("console/<str:code>/deliberation/surveys/", manage.surveys_view, name="surveys"),
    path("console/<str:code>/deliberation/surveys/<int:pk>/", manage.survey_view, name="survey"),
    path("console/<str:code>/deliberation/conventions/<int:pk>/booth/", booth.booth_view,
         name="booth"),
    path("console/<str:code>/deliberation/conventions/", console.conventions_view,
         name="conventions"),
    path("console/<str:code>/deliberation/conventions/<int:pk>/", console.convention_view,
         name="convention"),
    path("console/<str:code>/deliberation/announcements/", console.announcements_view,
         name="announcements"),
    # public (phones)
    path("d/<str:code>/suggestions/", public.suggestions_view, name="suggestions_public"),
    path("d/<str:code>/suggestions/<str:number>/", public.suggestion_view,
         name="suggestion_public"),
    path("d/<str:code>/surveys/<int:pk>/", public.survey_view, name="survey_public"),
    path("d/<str:code>/conventions/<int:pk>/", public.convention_view, name="convention_public"),
    path("d/<str:code>/meetings/<int:pk>/", public.meeting_view, name="meeting_public"),
    path("d/<str:code>/actions/<int:pk>/", public.action_view, name="action_public"),
    path("d/<str:code>/my-demands/", public.my_demands_view, name="my_demands"),
    path("d/<str:code>/announcements/", public.announcements_view, name="announcements_public"),
    path("d/<str:code>/announcements/<int:pk>/", public.announcement_view,
         name="announcement_public"),
]
