import pytest

from shangquan.merchants.licences import licence_check, make_reg15, make_uscc

pytestmark = pytest.mark.django_db  # translations need settings


@pytest.mark.parametrize("value", ["9144030071526726XG", "91330100799655058B",
                                   "91110108551385082Q", "330106000109206",
                                   " 9144-0300-7152-6726xg "])
def test_real_numbers_pass(value):
    _normal, kind, error = licence_check(value)
    assert error == "" and kind in ("uscc", "individual")


@pytest.mark.parametrize("value, fragment", [
    ("9144030071526726XA", "校验位"),
    ("9144030071526726I0", "不允许的字符"),
    ("330106000109207", "校验位"),
    ("33010600010920A", "15 位数字"),
    ("12345", "18 位"),
    ("", "为空"),
])
def test_bad_numbers_say_why_in_chinese(value, fragment):
    _normal, _kind, error = licence_check(value)
    assert fragment in error


def test_generators_make_valid_numbers():
    assert licence_check(make_uscc("92210703MA0000123"))[2] == ""
    assert licence_check(make_reg15("21070360012345"))[1:] == ("individual", "")


@pytest.mark.parametrize("body", ["Y1110000MA0000001", "A1110000MA0000001",
                                  "N2110000MA0000001"])
def test_authority_letters_of_gb32100_pass(body):
    # stdnum.cn.uscc.validate would refuse these (digits only in the first 8 places);
    # the format rule is ours, the check character is stdnum's.
    assert licence_check(make_uscc(body))[1:] == ("uscc", "")


def test_check_characters_match_gb32100_examples():
    assert make_uscc("91110000600037341") == "91110000600037341L"
    assert make_uscc("9144030071526726X") == "9144030071526726XG"
    assert make_reg15("33010600010920") == "330106000109206"
