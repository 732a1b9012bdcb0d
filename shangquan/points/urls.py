from django.urls import path

from .views import console, public

app_name = "points"

P = "d/<str:code>/points/"
C = "console/<str:code>/points/"

urlpatterns = [
    # phone pages: residents, riders, merchants
    path(P, public.me_view, name="me"),
    path(P + "shop/", public.shop_view, name="shop"),
    path(P + "shop/<int:pk>/redeem/", public.redeem_view, name="redeem"),
    path(P + "redemptions/", public.redemptions_view, name="redemptions"),
    path(P + "redemptions/<int:pk>/", public.redemption_view, name="redemption"),
    # console
    path(C, console.ledger_view, name="ledger"),
    path(C + "accounts/<int:pk>/", console.account_view, name="account"),
    path(C + "items/", console.items_view, name="items"),
    path(C + "fulfil/", console.fulfil_view, name="fulfil"),
    path(C + "adjustments/", console.adjustments_view, name="adjustments"),
    path(C + "export/<str:what>.xlsx", console.export_view, name="export"),
]
