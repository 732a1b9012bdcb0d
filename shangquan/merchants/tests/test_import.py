"""A committee member imports a 2,500-row list with some bad rows."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from shangquan.core.errors import PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.merchants.exporting import merchants_export_xlsx
from shangquan.merchants.importing import merchants_import
from shangquan.merchants.models import Association, Merchant

from .factories import licence_for

pytestmark = pytest.mark.django_db

HEAD = ["商户名称", "统一社会信用代码", "经营类别", "摊位号", "联系电话", "外摆面积", "商会协会",
        "纬度", "经度", "党员商户"]
BAD = {  # row index (0-based in data) -> how it is broken, and what the report must say
    7: ("licence", "校验位"),
    100: ("name", "商户名称为空"),
    512: ("phone", "联系电话"),
    1024: ("area", "外摆面积"),
    2047: ("dup", "与第"),
    2400: ("party", "党员商户"),
}


def rows(n: int = 2500) -> list[list]:
    out = []
    for i in range(n):
        row = [f"万达商户{i:04d}", licence_for(50000 + i), ["餐饮", "服饰", "数码"][i % 3],
               f"B1-{i:04d}", f"1390000{i:04d}", "2.5", ["万达广场商户联合会", "现代城数码商会"][i % 2],
               f"{32.06 + (i % 50) * 0.0002:.6f}", f"{112.17 + (i // 50) * 0.0002:.6f}",
               "是" if i % 10 == 0 else "否"]
        kind = BAD.get(i, ("", ""))[0]
        if kind == "licence":
            row[1] = row[1][:-1] + ("0" if row[1][-1] != "0" else "1")
        elif kind == "name":
            row[0] = ""
        elif kind == "phone":
            row[4] = "12345"
        elif kind == "area":
            row[5] = "很大"
        elif kind == "dup":
            row[1] = licence_for(50000 + 3)
        elif kind == "party":
            row[9] = "也许"
        out.append(row)
    return out


def xlsx(data: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    for row in data:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_2500_rows_with_bad_rows(north):
    actor = north.people[Role.COMMITTEE]
    seen = []
    report = merchants_import(actor=actor, district=north.district, data=xlsx(rows()),
                              filename="万达商户名录.xlsx",
                              progress=lambda done, total: seen.append((done, total)))
    assert report.total == 2500
    assert report.created == 2500 - len(BAD) and report.updated == 0
    assert Merchant.objects.filter(district=north.district).count() == 2500 - len(BAD)
    by_row = {e["row"]: " ".join(e["messages"]) for e in report.errors}
    assert set(by_row) == {i + 2 for i in BAD}  # spreadsheet row numbers (heading is row 1)
    for index, (_kind, words) in BAD.items():
        assert words in by_row[index + 2], (index, by_row[index + 2])
    assert seen[-1] == (2500, 2500) and len(seen) > 3  # progress along the way
    assert Association.objects.filter(district=north.district).count() == 2
    assert Merchant.objects.filter(district=north.district, is_party_member=True,
                                   party_badge="shop").count() == \
        len([i for i in range(0, 2500, 10) if i not in BAD])
    assert AuditLog.objects.filter(district=north.district, action="merchants.merchant.create").count() \
        == 2500 - len(BAD)

    # Re-import after fixing two rows and changing one: updates, no duplicates.
    data = rows()
    data[7][1] = licence_for(50007)
    data[100][0] = "修好的商户"
    data[200][2] = "小吃"
    again = merchants_import(actor=actor, district=north.district, data=xlsx(data),
                             filename="第二版.xlsx")
    assert again.created == 2 and again.updated == 1
    assert again.unchanged == 2500 - len(BAD) - 1
    assert Merchant.objects.filter(district=north.district).count() == 2500 - len(BAD) + 2
    assert Merchant.objects.get(district=north.district, licence_no=licence_for(50200)).category \
        == "小吃"


def test_csv_in_gbk_and_missing_columns(north):
    actor = north.people[Role.ASSOCIATION]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["店名", "注册号", "业态"])
    writer.writerow(["凌河烤冷面", "330106000109206", "小吃"])
    report = merchants_import(actor=actor, district=north.district,
                              data=text.getvalue().encode("gbk"), filename="list.csv")
    assert report.created == 1
    assert Merchant.objects.get(district=north.district).licence_kind == "individual"
    with pytest.raises(ValidationFailed) as exc:
        merchants_import(actor=actor, district=north.district,
                         data="名称,地址\n甲,乙\n".encode(), filename="x.csv")
    assert "营业执照号" in str(exc.value.message) and "经营类别" in str(exc.value.message)
    with pytest.raises(PermissionDenied):
        merchants_import(actor=north.people[Role.MERCHANT], district=north.district,
                         data=b"", filename="x.csv")


def test_export_round_trip_masks_phones_for_street(north):
    actor = north.people[Role.COMMITTEE]
    merchants_import(actor=actor, district=north.district, data=xlsx(rows(20)),
                     filename="a.xlsx")
    data = merchants_export_xlsx(actor=north.people[Role.STREET], district=north.district)
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.values)
    assert len(values) == 20 and values[0][0] == "商户名称"  # row 7 of the 20 was bad
    assert all("****" in (row[6] or "") for row in values[1:])
    complete = merchants_export_xlsx(actor=actor, district=north.district)
    full = load_workbook(io.BytesIO(complete)).active
    assert any(row[6] == "13900000001" for row in full.values)
    # The committee's export imports back unchanged.
    again = merchants_import(actor=actor, district=north.district, data=complete,
                             filename="b.xlsx")
    assert again.created == 0 and not again.errors


def test_template_example_row_is_never_imported(client, north):
    existing = merchants_import(
        actor=north.people[Role.COMMITTEE], district=north.district,
        data=xlsx([["真的烤冷面", licence_for(4100), "小吃", "A-1", "13911112222", "", "", "",
                    "", "否"]]), filename="a.xlsx")
    assert existing.created == 1
    client.force_login(north.people[Role.COMMITTEE])
    response = client.get(f"/console/{north.district.code}/merchants/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0].cell(row=2, column=1).value.startswith("示例")
    assert "小吃" in [row[0] for row in book["经营类别"].values]
    report = merchants_import(actor=north.people[Role.COMMITTEE], district=north.district,
                              data=response.content, filename="template.xlsx")
    assert report.created == report.updated == report.total == 0 and report.skipped == 1
    assert not report.errors
    assert list(Merchant.objects.filter(district=north.district)
                .values_list("name", "phone", "is_party_member")) == [
        ("真的烤冷面", "13911112222", False)]


def test_unknown_category_is_refused_with_the_known_list(client, north):
    actor = north.people[Role.COMMITTEE]
    data = xlsx([["甲店", licence_for(4200), "小吃", "", "", "", "", "", "", "否"],
                 ["乙店", licence_for(4201), "宇宙飞船", "", "", "", "", "", "", "否"]])
    report = merchants_import(actor=actor, district=north.district, data=data, filename="a.xlsx")
    assert report.created == 1 and [e["row"] for e in report.errors] == [3]
    message = " ".join(report.errors[0]["messages"])
    assert "宇宙飞船" in message and "小吃" in message and "餐饮" in message
    assert not Merchant.objects.filter(district=north.district, category="宇宙飞船").exists()
    client.force_login(actor)
    page = client.get(f"/console/{north.district.code}/merchants/import/").content.decode()
    assert "可用的经营类别" in page and "小吃" in page
