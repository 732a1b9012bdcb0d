from shangquan.core.navigation import NavItem

NAV = [NavItem("插件", "plugapp:hello", order=50)]
