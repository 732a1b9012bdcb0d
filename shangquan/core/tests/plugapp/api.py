from ninja import Router, Schema

from shangquan.core.apibase import OPTIONAL_AUTH

router = Router(tags=["plugapp"])
public_router = Router(tags=["plugapp"], auth=OPTIONAL_AUTH)


class PingOut(Schema):
    app: str
    district: str = ""


@router.get("plug/ping", response=PingOut)
def district_ping(request, code: str):
    return {"app": "plugapp", "district": code}


@public_router.get("plug/ping", response=PingOut)
def public_ping(request):
    return {"app": "plugapp"}
