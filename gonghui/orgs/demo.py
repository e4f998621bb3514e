"""Synthetic demo data for a city federation (Beijing): pure generators of import rows.

Everything here is deterministic from `random.Random(seed)` and touches no database. The rows
have the shape the CSV imports produce — `(row_number, values, cells)` with canonical field
names (ORG_COLUMNS, EMPLOYER_COLUMNS) and string values — so the demo command feeds them through
the same import services a federation uses for its spreadsheets.

Employers are generated one after another from one stream of random numbers, after the org tree
(which does not depend on their count): a larger `employers` count with the same seed keeps the
first employers as they were and only adds more.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from gonghui.core.tabular import Column
from gonghui.core.validators import USCC_CHARSET, uscc_check_char
from gonghui.orgs.importing import EMPLOYER_COLUMNS, ORG_COLUMNS

Row = tuple[int, dict[str, str], list[str]]

# Generated dates never pass this day (nor the real today, if the clock is earlier).
DATA_END = date(2025, 12, 31)
OPENED_FROM = date(1995, 1, 1)
# A staff count from which an employer is expected to set up its own union (and, open five years
# or more without one, goes on the establishment supervision list).
ENTERPRISE_UNION_STAFF = 25

CITY_CODE = "110000"
CITY_NAME = "北京市总工会"

# GB/T 2260 codes; "urban" districts get only 街道, the others also 镇/乡 (villages).
DISTRICTS: tuple[tuple[str, str, bool], ...] = (
    ("110101", "东城区", True),
    ("110102", "西城区", True),
    ("110105", "朝阳区", True),
    ("110106", "丰台区", True),
    ("110107", "石景山区", True),
    ("110108", "海淀区", True),
    ("110109", "门头沟区", False),
    ("110111", "房山区", False),
    ("110112", "通州区", False),
    ("110113", "顺义区", False),
    ("110114", "昌平区", False),
    ("110115", "大兴区", False),
    ("110116", "怀柔区", False),
    ("110117", "平谷区", False),
    ("110118", "密云区", False),
    ("110119", "延庆区", False),
)

# Relative number of employers registered in each district.
DISTRICT_WEIGHTS = {
    "110101": 6, "110102": 7, "110105": 18, "110106": 9, "110107": 3, "110108": 16,
    "110109": 1.5, "110111": 4, "110112": 7, "110113": 6, "110114": 8, "110115": 8,
    "110116": 1.5, "110117": 1.5, "110118": 1.5, "110119": 1,
}  # fmt: skip

# Streets and townships. 东城区 and 西城区 are complete and in their official order; for the other
# districts a deterministic subset of 8–16 real names is drawn from these lists.
# fmt: off
STREETS: dict[str, tuple[str, ...]] = {
    "110101": (
        "东华门街道", "景山街道", "交道口街道", "安定门街道", "北新桥街道", "东四街道",
        "朝阳门街道", "建国门街道", "东直门街道", "和平里街道", "前门街道", "崇文门外街道",
        "东花市街道", "龙潭街道", "体育馆路街道", "天坛街道", "永定门外街道",
    ),
    "110102": (
        "西长安街街道", "新街口街道", "月坛街道", "展览路街道", "德胜街道", "金融街街道",
        "什刹海街道", "大栅栏街道", "天桥街道", "椿树街道", "陶然亭街道", "广安门内街道",
        "牛街街道", "白纸坊街道", "广安门外街道",
    ),
    "110105": (
        "建外街道", "朝外街道", "呼家楼街道", "三里屯街道", "左家庄街道", "香河园街道",
        "和平街街道", "安贞街道", "亚运村街道", "小关街道", "酒仙桥街道", "麦子店街道",
        "团结湖街道", "六里屯街道", "八里庄街道", "双井街道", "劲松街道", "潘家园街道",
        "垡头街道", "南磨房街道", "高碑店街道", "将台街道", "太阳宫街道", "大屯街道",
        "望京街道", "奥运村街道", "东湖街道",
    ),
    "110106": (
        "右安门街道", "太平桥街道", "西罗园街道", "大红门街道", "南苑街道", "东高地街道",
        "东铁匠营街道", "六里桥街道", "丰台街道", "新村街道", "长辛店街道", "云岗街道",
        "方庄街道", "宛平街道", "马家堡街道", "和义街道", "卢沟桥街道", "花乡街道",
    ),
    "110107": (
        "八宝山街道", "老山街道", "八角街道", "古城街道", "苹果园街道", "金顶街街道",
        "广宁街道", "五里坨街道", "鲁谷街道",
    ),
    "110108": (
        "万寿路街道", "永定路街道", "羊坊店街道", "甘家口街道", "八里庄街道", "紫竹院街道",
        "北下关街道", "北太平庄街道", "学院路街道", "中关村街道", "海淀街道", "青龙桥街道",
        "清华园街道", "燕园街道", "香山街道", "清河街道", "花园路街道", "西三旗街道",
        "马连洼街道", "田村路街道", "上地街道", "曙光街道",
    ),
    "110109": (
        "大峪街道", "城子街道", "东辛房街道", "大台街道", "王平镇", "永定镇", "龙泉镇",
        "潭柘寺镇", "军庄镇", "妙峰山镇", "雁翅镇", "斋堂镇", "清水镇",
    ),
    "110111": (
        "城关街道", "新镇街道", "向阳街道", "东风街道", "迎风街道", "星城街道", "拱辰街道",
        "西潞街道", "琉璃河镇", "窦店镇", "石楼镇", "长沟镇", "大石窝镇", "张坊镇", "十渡镇",
        "青龙湖镇", "韩村河镇", "周口店镇", "阎村镇", "长阳镇", "河北镇", "佛子庄乡",
        "大安山乡", "史家营乡", "霞云岭乡", "南窖乡", "蒲洼乡",
    ),
    "110112": (
        "中仓街道", "新华街道", "北苑街道", "玉桥街道", "宋庄镇", "张家湾镇", "漷县镇",
        "马驹桥镇", "西集镇", "台湖镇", "永乐店镇", "潞城镇", "于家务回族乡",
    ),
    "110113": (
        "胜利街道", "光明街道", "石园街道", "空港街道", "双丰街道", "旺泉街道", "仁和镇",
        "后沙峪镇", "天竺镇", "杨镇", "牛栏山镇", "南法信镇", "马坡镇", "高丽营镇", "李桥镇",
        "李遂镇", "南彩镇", "北务镇", "大孙各庄镇", "张镇", "龙湾屯镇", "木林镇", "北小营镇",
        "北石槽镇", "赵全营镇",
    ),
    "110114": (
        "城北街道", "城南街道", "回龙观街道", "龙泽园街道", "史各庄街道", "霍营街道",
        "天通苑北街道", "天通苑南街道", "南口镇", "马池口镇", "沙河镇", "阳坊镇", "小汤山镇",
        "南邵镇", "崔村镇", "百善镇", "北七家镇", "兴寿镇", "流村镇", "十三陵镇", "延寿镇",
    ),
    "110115": (
        "兴丰街道", "林校路街道", "清源街道", "观音寺街道", "天宫院街道", "高米店街道",
        "荣华街道", "西红门镇", "旧宫镇", "亦庄镇", "瀛海镇", "青云店镇", "采育镇", "安定镇",
        "礼贤镇", "榆垡镇", "庞各庄镇", "北臧村镇", "魏善庄镇", "长子营镇",
    ),
    "110116": (
        "泉河街道", "龙山街道", "怀柔镇", "雁栖镇", "庙城镇", "北房镇", "杨宋镇", "桥梓镇",
        "怀北镇", "汤河口镇", "渤海镇", "九渡河镇", "琉璃庙镇", "宝山镇", "长哨营满族乡",
        "喇叭沟门满族乡",
    ),
    "110117": (
        "滨河街道", "兴谷街道", "峪口镇", "马坊镇", "金海湖镇", "东高村镇", "山东庄镇",
        "南独乐河镇", "大华山镇", "夏各庄镇", "马昌营镇", "王辛庄镇", "大兴庄镇", "刘家店镇",
        "镇罗营镇", "黄松峪乡", "熊儿寨乡",
    ),
    "110118": (
        "鼓楼街道", "果园街道", "密云镇", "溪翁庄镇", "西田各庄镇", "十里堡镇", "河南寨镇",
        "巨各庄镇", "穆家峪镇", "太师屯镇", "高岭镇", "不老屯镇", "冯家峪镇", "古北口镇",
        "大城子镇", "东邵渠镇", "北庄镇", "新城子镇", "石城镇",
    ),
    "110119": (
        "百泉街道", "香水园街道", "儒林街道", "延庆镇", "康庄镇", "八达岭镇", "永宁镇",
        "旧县镇", "张山营镇", "四海镇", "千家店镇", "沈家营镇", "大榆树镇", "井庄镇",
        "大庄科乡", "刘斌堡乡", "香营乡", "珍珠泉乡",
    ),
}
# fmt: on
COMPLETE_STREET_LISTS = ("110101", "110102")

# Community names: place word + suffix; village names: family name or direction + settlement word.
_COMMUNITY_WORDS = (
    "安华", "安贞", "惠新", "和平", "樱花", "青年", "育慧", "光熙", "花家", "芳城", "芳古",
    "蒲黄", "紫芳", "玉蜓", "富丰", "金秋", "百合", "丽泽", "锦园", "世纪", "阳光", "康居",
    "怡景", "翠林", "清芷", "广义", "长椿", "永乐", "健安", "德胜", "安德", "黄寺", "新康",
    "双旗", "红庙", "金台", "延静", "双花", "东坝", "常营", "朝新", "首城", "甜水", "双桥",
    "管庄", "多福", "银闸", "韶九", "府学", "菊儿", "板厂", "演乐", "礼士", "豆瓣", "海运",
    "南门", "金宝", "幸福", "光明", "团结", "建新", "文华", "兴隆", "康乐", "白云", "枣林",
    "椿树", "景泰", "永安", "宏源", "华严", "望春", "丰益", "嘉园", "振兴", "育新",
)  # fmt: skip
_COMMUNITY_SUFFIXES = (
    "里", "园", "苑", "北里", "南里", "东里", "西里", "小区", "家园", "新村", "路", "街",
)  # fmt: skip
_VILLAGE_HEADS = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "马", "胡", "郭", "何",
    "高", "石", "梁", "韩", "白", "东", "西", "南", "北", "前", "后", "上", "下", "大", "小",
    "新", "沙", "柳", "桃", "杏", "榆", "河", "山",
)  # fmt: skip
_VILLAGE_TAILS = (
    "庄", "营", "屯", "峪", "店", "务", "坨", "堡", "各庄", "家庄", "辛庄", "官庄", "家沟",
    "河", "台", "家园", "坡", "家坟",
)  # fmt: skip

_JOINT_URBAN = (
    "商务楼宇工会联合会", "餐饮行业工会联合会", "物业行业工会联合会", "快递物流行业工会联合会",
    "美容美发行业工会联合会", "家政服务业工会联合会", "商圈工会联合会",
)  # fmt: skip
_JOINT_RURAL = (
    "建筑行业工会联合会", "工业园区工会联合会", "农民专业合作社工会联合会",
    "乡村旅游行业工会联合会", "快递物流行业工会联合会",
)  # fmt: skip

# City industry unions and the group company unions under them (fictional groups).
INDUSTRY_UNIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("北京市教育工会", (
        "北京京华教育集团有限公司工会", "北京育才职业教育集团工会",
        "北京博学出版传媒集团有限公司工会")),
    ("北京市卫生健康工会", (
        "北京仁济医疗集团工会", "北京康宁医药集团有限公司工会", "北京华康健康产业集团工会")),
    ("北京市金融工会", (
        "北京京融投资控股集团有限公司工会", "北京华信保险经纪集团有限公司工会",
        "北京首信融资担保集团有限公司工会")),
    ("北京市建设工会", (
        "北京城兴建设集团有限责任公司工会", "北京华厦建工集团有限公司工会",
        "北京京安市政工程集团有限公司工会")),
    ("北京市交通运输工会", (
        "北京京通公交集团有限公司工会", "北京畅达物流集团有限公司工会",
        "北京顺捷出租汽车集团有限公司工会")),
    ("北京市商业服务业工会", (
        "北京京华商业集团股份有限公司工会", "北京福源餐饮集团有限公司工会",
        "北京嘉和物业服务集团有限公司工会")),
    ("北京市科技工会", (
        "北京中科创新科技集团有限公司工会", "北京京芯电子集团有限公司工会",
        "北京华软信息技术集团有限公司工会")),
    ("北京市农林水利工会", (
        "北京京郊农业发展集团有限公司工会", "北京绿源园林集团有限公司工会",
        "北京清泉水务集团有限公司工会")),
)  # fmt: skip

# Employers: GB/T 4754 section → relative frequency and the trade words of their names.
INDUSTRY_WEIGHTS = {
    "A": 1.5, "B": 0.2, "C": 12, "D": 0.8, "E": 9, "F": 20, "G": 7, "H": 10, "I": 10,
    "J": 1.5, "K": 3, "L": 11, "M": 8, "N": 1, "O": 6, "P": 1.5, "Q": 1.5, "R": 2,
}  # fmt: skip
_TRADE_WORDS = {
    "A": ("农业科技", "生态农业", "花卉园艺", "农业发展", "畜牧养殖"),
    "B": ("矿业", "砂石"),
    "C": ("机械制造", "电子科技", "食品", "服装", "印刷", "医疗器械", "精密机械", "新材料科技",
          "包装制品", "家具制造", "汽车配件", "制药"),
    "D": ("热力", "燃气", "新能源", "电力工程"),
    "E": ("建筑工程", "建设工程", "装饰工程", "市政工程", "机电安装工程", "建筑劳务"),
    "F": ("商贸", "贸易", "商贸连锁", "医药连锁", "超市", "建材", "文化用品", "电子商务",
          "果品", "服饰"),
    "G": ("物流", "运输", "货运代理", "快递服务", "仓储", "汽车运输"),
    "H": ("餐饮管理", "酒店管理", "餐饮", "宾馆", "快餐"),
    "I": ("信息技术", "网络科技", "软件技术", "数据科技", "智能科技", "通信技术"),
    "J": ("融资租赁", "保险代理", "典当", "投资管理"),
    "K": ("房地产开发", "房地产经纪", "物业管理"),
    "L": ("企业管理咨询", "商务服务", "人力资源", "广告", "会议服务", "劳务派遣", "保安服务",
          "国际旅行社"),
    "M": ("工程设计", "检测技术", "生物科技", "环境科技", "技术开发", "勘察设计"),
    "N": ("环境卫生", "园林绿化", "环保工程"),
    "O": ("家政服务", "美容美发", "汽车维修", "洗染", "保洁服务"),
    "P": ("教育咨询", "职业技能培训"),
    "Q": ("医院管理", "健康管理", "养老服务"),
    "R": ("文化传媒", "影视文化", "体育发展", "文化艺术"),
}  # fmt: skip
_SHOP_WORDS = {  # 个体工商户
    "F": ("便利店", "水果店", "五金店", "烟酒店", "日用品店", "粮油店"),
    "H": ("面馆", "小吃店", "快餐店", "包子铺", "饺子馆"),
    "O": ("理发店", "洗衣店", "修车行", "家电维修部", "开锁服务部"),
}
_BRAND_CHARS = (
    "华鑫瑞恒泰博德汇嘉信永盛丰源宏达兴隆安康明宇中天诚金鼎辉创智卓远通科海新京福利昌祥和顺元"
    "益正航凯腾弘润晟坤尚佳亿荣富美捷优伟思睿云星朗峰岳"
)
_LEGACY_TAIL = "0123456789X"  # the check character of a pre-2015 organisation code

STATUS_OPERATING = "存续"
STATUS_DEREGISTERED = "注销"


@dataclass(frozen=True)
class DemoOrg:
    code: str
    name: str
    kind: str
    parent_code: str
    region_code: str
    established_on: date


@dataclass(frozen=True)
class DemoEmployer:
    name: str
    uscc: str
    region_code: str
    industry: str
    employees: int
    opened_on: date
    status: str
    community_code: str
    union_code: str
    # An early pilot code: its check character deliberately does not match.
    pilot: bool = False


@dataclass
class DemoData:
    orgs: list[DemoOrg] = field(default_factory=list)
    employers: list[DemoEmployer] = field(default_factory=list)

    def org_rows(self) -> list[Row]:
        return _rows(ORG_COLUMNS, [_org_values(org) for org in self.orgs])

    def employer_rows(self) -> list[Row]:
        return _rows(EMPLOYER_COLUMNS, [_employer_values(e) for e in self.employers])


def _org_values(org: DemoOrg) -> dict[str, str]:
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "parent_code": org.parent_code,
        "region_code": org.region_code,
        "established_on": org.established_on.isoformat(),
    }


def _employer_values(employer: DemoEmployer) -> dict[str, str]:
    return {
        "name": employer.name,
        "uscc": employer.uscc,
        "region_code": employer.region_code,
        "industry": employer.industry,
        "employees": str(employer.employees),
        "opened_on": employer.opened_on.isoformat(),
        "status": employer.status,
        "community_code": employer.community_code,
        "union_code": employer.union_code,
    }


def _rows(columns: tuple[Column, ...], values: list[dict[str, str]]) -> list[Row]:
    """Number the rows as a spreadsheet would (the header is row 1)."""
    return [
        (number, row, [row[column.field] for column in columns])
        for number, row in enumerate(values, start=2)
    ]


def _date_between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _short(name: str) -> str:
    """东华门街道 → 东华门, 宋庄镇 → 宋庄, 东城区 → 东城 (names keep at least two characters)."""
    for suffix in ("街道", "满族乡", "回族乡", "镇", "乡", "区"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _is_urban_street(name: str) -> bool:
    return name.endswith("街道")


@dataclass
class _Street:
    code: str
    name: str
    district: str
    communities: list[str] = field(default_factory=list)
    joints: list[str] = field(default_factory=list)


def generate_demo(*, seed: int, employers: int, today: date) -> DemoData:
    """The whole demo federation: org tree (with enterprise unions) and `employers` employers."""
    rng = random.Random(seed)
    end = min(DATA_END, today)
    data = DemoData()
    streets = _tree(rng, data, end)
    _employers(rng, data, streets, employers, end)
    return data


def _tree(rng: random.Random, data: DemoData, end: date) -> dict[str, list[_Street]]:
    def add(
        code: str, name: str, kind: str, parent: str, region: str, years: tuple[int, int]
    ) -> None:
        first, last = date(years[0], 1, 1), min(end, date(years[1], 12, 31))
        data.orgs.append(DemoOrg(code, name, kind, parent, region, _date_between(rng, first, last)))

    add(CITY_CODE, CITY_NAME, "city", "", CITY_CODE, (1949, 1952))
    streets_by_district: dict[str, list[_Street]] = {}
    for code, name, _urban in DISTRICTS:
        add(code, f"{name}总工会", "district", CITY_CODE, code, (1952, 1990))
        pool = STREETS[code]
        if code in COMPLETE_STREET_LISTS:
            names = list(pool)
        else:
            picked = set(rng.sample(range(len(pool)), rng.randint(8, min(16, len(pool)))))
            names = [pool[i] for i in range(len(pool)) if i in picked]
        streets = streets_by_district[code] = []
        used: set[str] = set()
        for number, street_name in enumerate(names, start=1):
            street = _Street(f"{code}{number:03d}", street_name, code)
            streets.append(street)
            add(street.code, f"{street_name}总工会", "street", code, code, (1978, 2005))
            urban = _is_urban_street(street_name)
            suffix = "社区联合工会" if urban else "村联合工会"
            for index in range(1, rng.randint(3, 8) + 1):
                community = _community_name(rng, urban, used)
                used.add(community)
                street.communities.append(f"{street.code}{index:03d}")
                add(street.communities[-1], f"{community}{suffix}", "community", street.code,
                    code, (1998, 2016))  # fmt: skip
            if rng.random() < 1 / 3:
                kinds = _JOINT_URBAN if urban else _JOINT_RURAL
                for index, joint in enumerate(rng.sample(kinds, rng.choice((1, 1, 2))), start=1):
                    street.joints.append(f"J{street.code}{index:02d}")
                    add(street.joints[-1], f"{_short(street_name)}{joint}", "joint",
                        street.code, code, (2008, 2025))  # fmt: skip
    for number, (industry_name, groups) in enumerate(INDUSTRY_UNIONS, start=1):
        industry_code = f"I{number:02d}"
        add(industry_code, industry_name, "industry", CITY_CODE, CITY_CODE, (1950, 1985))
        for index, group_name in enumerate(groups[: rng.randint(1, 3)], start=1):
            add(f"G{number:02d}{index:02d}", group_name, "group", industry_code, CITY_CODE,
                (1980, 2005))  # fmt: skip
    return streets_by_district


def _community_name(rng: random.Random, urban: bool, used: set[str]) -> str:
    while True:
        if urban:
            name = rng.choice(_COMMUNITY_WORDS) + rng.choice(_COMMUNITY_SUFFIXES)
        else:
            name = rng.choice(_VILLAGE_HEADS) + rng.choice(_VILLAGE_TAILS)
        if name not in used:
            return name


def _employers(
    rng: random.Random, data: DemoData, streets: dict[str, list[_Street]], count: int, end: date
) -> None:
    district_codes = [code for code, _name, _urban in DISTRICTS]
    district_names = {code: name for code, name, _urban in DISTRICTS}
    district_weights = [DISTRICT_WEIGHTS[code] for code in district_codes]
    industries = list(INDUSTRY_WEIGHTS)
    industry_weights = list(INDUSTRY_WEIGHTS.values())
    # Two or three early pilot codes, among the first hundred employers so that they do not
    # move when the employer count changes.
    pilots = set(rng.sample(range(min(count, 100)), min(count, rng.choice((2, 3)))))
    names: set[str] = set()
    codes: set[str] = set()
    enterprise_unions = 0
    for index in range(count):
        pilot = index in pilots
        district = rng.choices(district_codes, district_weights)[0]
        street, community = _place(rng, streets[district])
        individual = not pilot and rng.random() < 0.06
        if individual:
            industry = rng.choice(tuple(_SHOP_WORDS))
            employees = rng.randint(1, 8)
        else:
            industry = rng.choices(industries, industry_weights)[0]
            employees = min(30000, max(1, round(rng.lognormvariate(math.log(22), 1.5))))
        span = (end - OPENED_FROM).days
        opened_on = OPENED_FROM + timedelta(days=int(span * rng.random() ** 0.7))
        if pilot:  # pilot codes were issued before the nationwide scheme of late 2015
            opened_on = _date_between(rng, date(1995, 1, 1), date(2014, 12, 31))
        status = STATUS_DEREGISTERED if rng.random() < 0.05 else STATUS_OPERATING
        name = _employer_name(
            rng,
            names,
            individual=individual,
            industry=industry,
            district=district_names[district],
            street=street.name,
            employees=employees,
        )
        names.add(name)
        uscc = _uscc(
            rng, codes, district=district, individual=individual, pilot=pilot, opened_on=opened_on
        )
        codes.add(uscc)
        union_code = ""
        if employees >= ENTERPRISE_UNION_STAFF:
            if rng.random() < 0.7:
                enterprise_unions += 1
                union_code = f"E{enterprise_unions:08d}"
                data.orgs.append(
                    DemoOrg(
                        union_code,
                        f"{name}工会委员会",
                        "enterprise",
                        community,
                        district,
                        _date_between(
                            rng,
                            min(end, opened_on + timedelta(days=60)),
                            min(end, opened_on + timedelta(days=1800)),
                        ),
                    )
                )
        elif rng.random() < 0.5:
            union_code = community
            if street.joints and rng.random() < 0.25:
                union_code = rng.choice(street.joints)
        data.employers.append(
            DemoEmployer(
                name=name,
                uscc=uscc,
                region_code=district,
                industry=industry,
                employees=employees,
                opened_on=opened_on,
                status=status,
                community_code=community,
                union_code=union_code,
                pilot=pilot,
            )
        )


def _place(rng: random.Random, streets: list[_Street]) -> tuple[_Street, str]:
    """A street and community of the district. 东华门 (王府井) draws more employers than most."""
    if streets[0].code == "110101001" and rng.random() < 0.25:
        return streets[0], streets[0].communities[0]
    street = rng.choice(streets)
    return street, rng.choice(street.communities)


def _employer_name(
    rng: random.Random,
    used: set[str],
    *,
    individual: bool,
    industry: str,
    district: str,
    street: str,
    employees: int,
) -> str:
    for attempt in range(1000):
        # Two-character trade names run out in very large runs; then take three.
        brand = "".join(rng.sample(_BRAND_CHARS, 2 if attempt < 20 else 3))
        if individual:
            name = f"北京市{district}{brand}{rng.choice(_SHOP_WORDS[industry])}"
        else:
            company = f"北京{brand}{rng.choice(_TRADE_WORDS[industry])}"
            form = rng.random()
            if form < 0.04 and employees >= 50:
                name = f"{company}股份有限公司"
            elif form < 0.10:
                name = f"{company}有限公司{_short(district)}分公司"
            elif form < 0.16 and industry in _SHOP_WORDS:
                name = f"{company}有限公司{_short(street)}店"
            else:
                name = f"{company}有限公司"
        if name not in used:
            return name
    raise RuntimeError("no unused employer name left")


def _uscc(
    rng: random.Random,
    used: set[str],
    *,
    district: str,
    individual: bool,
    pilot: bool,
    opened_on: date,
) -> str:
    """91 (company) or 92 (个体工商户) + region + 9-character body + check character.

    Codes issued since late 2015 have an "MA" body; older ones carry the former organisation code
    (eight digits and its check character).
    """
    while True:
        if opened_on >= date(2015, 10, 1) and not pilot:
            body = "MA0" + "".join(rng.choice(USCC_CHARSET) for _ in range(6))
        else:
            body = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice(_LEGACY_TAIL)
        first17 = ("92" if individual else "91") + district + body
        check = uscc_check_char(first17)
        if pilot:
            check = USCC_CHARSET[(USCC_CHARSET.index(check) + rng.randint(1, 30)) % 31]
        code = first17 + check
        if code not in used:
            return code


# --- organisation work (written to the database through the services) --------------------------

REGISTER_FILE = "demo-register.csv"
_REGISTER_HEADER = ("统一社会信用代码", "企业名称", "登记状态", "成立日期", "从业人数", "住所")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def register_rows(data: DemoData, *, seed: int) -> list[tuple[str, ...]]:
    """The market-registration register as it would come back from 大核查: every demo employer,
    except some missing and some deregistered since, a few renamed or moved, and new ones.

    Pure: the same data and seed give the same file.
    """
    rng = random.Random(seed * 7 + 1)
    rows: list[tuple[str, ...]] = [_REGISTER_HEADER]
    codes = {e.uscc for e in data.employers}
    for index, employer in enumerate(data.employers):
        status, name, address = employer.status, employer.name, ""
        operating = status == STATUS_OPERATING
        if operating and index % 37 == 5:
            continue  # missing from the register: a removal candidate
        if operating and index % 41 == 7:
            status = STATUS_DEREGISTERED  # deregistered since: a removal candidate
        elif operating and index % 29 == 3:
            name = (
                name.replace("有限公司", "股份有限公司")
                if "有限公司" in name
                else name + "（更名）"
            )
            address = f"北京市{employer.region_code}某路{rng.randint(1, 300)}号"
        rows.append(
            (
                employer.uscc,
                name,
                status,
                employer.opened_on.isoformat(),
                str(employer.employees),
                address,
            )
        )
    for index in range(max(3, len(data.employers) // 50)):
        district = DISTRICTS[index % len(DISTRICTS)][0]
        uscc = ""
        while not uscc or uscc in codes:
            body = "91" + district + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
            uscc = body + uscc_check_char(body)
        codes.add(uscc)
        opened = _date_between(rng, date(2012, 1, 1), date(2024, 6, 30))
        rows.append(
            (
                uscc,
                f"北京新登记{index + 1:03d}科技有限公司",
                STATUS_OPERATING,
                opened.isoformat(),
                str(rng.choice((8, 26, 40, 120))),
                f"北京市{district}新区路{index + 1}号",
            )
        )
    return rows


def write_register(data: DemoData, *, seed: int, path: Path) -> Path:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(register_rows(data, seed=seed))
    return path


def load_org_work(data: DemoData, *, seed: int, today: date, var_dir: Path) -> dict[str, int]:
    """Register file, supervision items in every state, staffing, elections and ratings.

    Run after the orgs, employers and demo users are loaded and before the members (a union it
    registers must already be there when members are generated). Idempotent: each part is
    written once; a re-run only rewrites the same register file.
    """
    from django.db import transaction

    from gonghui.accounts.models import User
    from gonghui.orgs.models import ChairElection, RatingAssessment, SupervisionFollowUp, UnionOrg
    from gonghui.orgs.models import UnionWorker as Worker

    write_register(data, seed=seed, path=var_dir / REGISTER_FILE)
    city = UnionOrg.objects.get(code=CITY_CODE)
    admin = User.objects.get(username="city_admin")
    rng = random.Random(seed * 11 + 3)
    done: dict[str, int] = {}
    with transaction.atomic():
        in_city = {"org__path__startswith": city.path}
        if not SupervisionFollowUp.objects.filter(
            item__responsible_org__path__startswith=city.path
        ).exists():
            done["supervision"] = _demo_supervision(city, admin, today, rng)
        if not Worker.objects.filter(**in_city).exists():
            done["workers"] = _demo_workers(city, rng)
        if not ChairElection.objects.filter(**in_city).exists():
            done["elections"] = _demo_elections(city, today, rng)
        if not RatingAssessment.objects.filter(**in_city).exists():
            done["ratings"] = _demo_ratings(city, admin, today, rng)
    return done


def _demo_supervision(city, admin, today: date, rng: random.Random) -> int:
    """Rebuild the list, then walk items through every state with follow-ups."""
    from gonghui.orgs.models import (
        FollowUpKind,
        FollowUpOutcome,
        OrgKind,
        SupervisionItem,
        UnionOrg,
    )
    from gonghui.orgs.services.rules import add_months
    from gonghui.orgs.services.supervision import (
        employer_union_set,
        supervision_followup_add,
        supervision_rebuild,
    )

    supervision_rebuild(scope_org=city, as_of=today)
    items = list(
        SupervisionItem.objects.filter(responsible_org__path__startswith=city.path)
        .select_related("employer", "employer__community")
        .order_by("employer__uscc")
    )
    visit = FollowUpKind.VISIT
    for index, item in enumerate(items):
        step = index % 8
        earlier = today - timedelta(days=30 + index % 20)

        def follow(outcome: str, note: str, day: date = earlier, item=item) -> None:
            supervision_followup_add(
                user=admin, item=item, happened_on=day, kind=visit, outcome=outcome, note=note
            )

        if step == 0:  # refused twice: escalated
            follow(FollowUpOutcome.REFUSED, "企业负责人以经营困难为由拒绝建会", earlier)
            follow(FollowUpOutcome.REFUSED, "再次走访，仍拒绝", earlier + timedelta(days=14))
        elif step == 1:
            follow(FollowUpOutcome.ONGOING, "已宣讲《工会法》，企业同意筹备")
        elif step == 2:
            follow(FollowUpOutcome.NOT_APPLICABLE, "实际用工多为劳务派遣，本单位职工不足25人")
        elif step == 3 and item.employer.community is not None:  # a union is registered
            community = item.employer.community
            code = f"S{item.employer.uscc[-10:]}"
            union = UnionOrg.objects.filter(code=code).first() or UnionOrg.objects.add_child(
                UnionOrg.objects.get(pk=community.pk),
                create_kwargs={
                    "code": code,
                    "name": f"{item.employer.name}工会委员会",
                    "kind": OrgKind.ENTERPRISE,
                    "region_code": community.region_code,
                    "established_on": today,
                },
            )
            follow(FollowUpOutcome.ONGOING, "指导召开会员大会")
            employer_union_set(user=admin, employer=item.employer, union=union)
        elif step == 4:
            follow(FollowUpOutcome.REFUSED, "拒绝，约定下月再访")
        elif step == 5:  # listed long ago and overdue
            SupervisionItem.objects.filter(pk=item.pk).update(
                listed_on=add_months(today, -9), deadline=add_months(today, -3)
            )
    return len(items)


def _demo_workers(city, rng: random.Random) -> int:
    """One officer per community mostly; some none, some a second one; cadres and instructors."""
    from gonghui.orgs.models import OrgKind, UnionOrg, UnionWorker, WorkerKind, WorkerStatus

    workers = []
    orgs = UnionOrg.objects.filter(path__startswith=city.path).order_by("path")
    for index, org in enumerate(orgs.filter(kind=OrgKind.COMMUNITY)):
        count = 0 if index % 9 == 4 else 2 if index % 11 == 6 else 1
        for n in range(count):
            workers.append(
                UnionWorker(
                    org=org,
                    name=_person(rng),
                    kind=WorkerKind.COMMUNITY_OFFICER if n == 0 else WorkerKind.SOCIAL_CADRE,
                    post="专职社区工会干事" if n == 0 else "社会化工会工作者",
                    funding_share=100 if n == 0 else 60,
                    started_on=date(2018 + index % 7, 1 + index % 12, 1),
                )
            )
        if index % 13 == 2:
            workers.append(
                UnionWorker(
                    org=org,
                    name=_person(rng),
                    kind=WorkerKind.COMMUNITY_OFFICER,
                    post="专职社区工会干事",
                    status=WorkerStatus.LEFT,
                    started_on=date(2016, 3, 1),
                    ended_on=date(2023, 6, 30),
                )
            )
    for index, org in enumerate(orgs.filter(kind__in=[OrgKind.STREET, OrgKind.DISTRICT])):
        kind = WorkerKind.INSTRUCTOR if org.kind == OrgKind.DISTRICT else WorkerKind.SOCIAL_CADRE
        for _n in range(3 if kind == WorkerKind.INSTRUCTOR else 1 + index % 2):
            workers.append(
                UnionWorker(
                    org=org,
                    name=_person(rng),
                    kind=kind,
                    post="工资集体协商指导员"
                    if kind == WorkerKind.INSTRUCTOR
                    else "街道工会社会化工作者",
                    full_time=kind != WorkerKind.INSTRUCTOR,
                    funding_share=50,
                )
            )
    UnionWorker.objects.bulk_create(workers)
    return len(workers)


def _demo_elections(city, today: date, rng: random.Random) -> int:
    """Chairs of enterprise and joint unions, about 85 % directly elected; a few terms end soon."""
    from gonghui.orgs.models import ChairElection, ElectionMethod, OrgKind, UnionOrg
    from gonghui.orgs.services.rules import add_months

    elections = []
    unions = UnionOrg.objects.filter(
        path__startswith=city.path, kind__in=[OrgKind.ENTERPRISE, OrgKind.JOINT]
    ).order_by("path")
    for index, union in enumerate(unions):
        if index % 6 == 5:
            continue  # no election recorded yet
        if index % 10 == 3:  # the five-year term ends within the next 90 days
            held_on = add_months(today, -60) + timedelta(days=rng.randint(10, 80))
        else:
            held_on = today - timedelta(days=rng.randint(30, 1700))
        voters = rng.randint(25, 400)
        cast = rng.randint(max(1, voters * 2 // 3), voters)
        elections.append(
            ChairElection(
                org=union,
                held_on=held_on,
                method=ElectionMethod.DIRECT if rng.random() < 0.85 else ElectionMethod.INDIRECT,
                candidates=rng.choice((1, 2, 2, 3)),
                voters=voters,
                votes_cast=cast,
                votes_for_elected=rng.randint(cast // 2 + 1, cast),
                elected_name=_person(rng),
                term_ends_on=add_months(held_on, 60),
            )
        )
    ChairElection.objects.bulk_create(elections)
    return len(elections)


def _demo_ratings(city, admin, today: date, rng: random.Random) -> int:
    """Two years of assessments for most grassroots unions; about 80 % show sign and identity."""
    from gonghui.orgs.models import OrgKind, OrgWorkSettings, RatingAssessment, RatingItem, UnionOrg
    from gonghui.orgs.services.ratings import rating_grade, rating_score

    items = list(RatingItem.objects.filter(active=True))
    rules = OrgWorkSettings.current()
    unions = UnionOrg.objects.filter(
        path__startswith=city.path,
        kind__in=[OrgKind.ENTERPRISE, OrgKind.COMMUNITY, OrgKind.JOINT],
    ).order_by("path")
    made: list[tuple[RatingAssessment, set[int]]] = []
    for index, union in enumerate(unions):
        if index % 5 == 4:
            continue
        for years_ago in (1, 0):
            met = {item.pk for item in items if rng.random() < 0.6 + 0.25 * (1 - years_ago)}
            score = rating_score(items, met)
            both = rng.random() < 0.8
            made.append(
                (
                    RatingAssessment(
                        org=union,
                        assessed_on=date(today.year - years_ago, 6, 1 + index % 28)
                        if years_ago or today >= date(today.year, 7, 1)
                        else today - timedelta(days=1 + index % 20),
                        score=score,
                        grade=rating_grade(score, rules),
                        sign_displayed=both or rng.random() < 0.5,
                        identity_displayed=both,
                        assessed_by=admin,
                    ),
                    met,
                )
            )
    RatingAssessment.objects.bulk_create([assessment for assessment, _met in made])
    through = RatingAssessment.met_items.through
    through.objects.bulk_create(
        through(ratingassessment_id=assessment.pk, ratingitem_id=item_id)
        for assessment, met in made
        for item_id in met
    )
    return len(made)
