// Generates the ICU reference orderings used by tests/domain/test_collation.py.
//
// Usage (from the repository root, Node >= 18 with full ICU):
//   node build/tools/icu_order.mjs communes > tests/data/son_la_communes_icu_vi.txt
//   node build/tools/icu_order.mjs tricky   > tests/data/vi_tricky_icu_vi.txt
//
// "communes": every Sơn La (province "14") commune name in the legacy structure
// (legacy.communes whose district is in province 14) and in the current structure
// (current.communes with province "14"), plus the legacy Sơn La district names,
// deduplicated and sorted with new Intl.Collator('vi').compare.
// "tricky": the hand-made list below, sorted the same way.
// Output: one NFC name per line, UTF-8, trailing newline.
import { readFileSync } from "node:fs";

const DATA = process.env.VN_ADMIN_UNITS ?? "/work/shared/data/vn_admin_units.json";
const PROVINCE = "14";

const TRICKY = [
  // tones on every vowel
  "a", "à", "ả", "ã", "á", "ạ",
  "ă", "ằ", "ẳ", "ẵ", "ắ", "ặ",
  "â", "ầ", "ẩ", "ẫ", "ấ", "ậ",
  "e", "è", "ẻ", "ẽ", "é", "ẹ",
  "ê", "ề", "ể", "ễ", "ế", "ệ",
  "i", "ì", "ỉ", "ĩ", "í", "ị",
  "o", "ò", "ỏ", "õ", "ó", "ọ",
  "ô", "ồ", "ổ", "ỗ", "ố", "ộ",
  "ơ", "ờ", "ở", "ỡ", "ớ", "ợ",
  "u", "ù", "ủ", "ũ", "ú", "ụ",
  "ư", "ừ", "ử", "ữ", "ứ", "ự",
  "y", "ỳ", "ỷ", "ỹ", "ý", "ỵ",
  // upper-case forms
  "A", "Á", "Ă", "Ắ", "Â", "Ậ", "E", "Ế", "Ê", "Ơ", "Ở", "Ư", "Ự", "Ỵ", "Ô", "Ổ",
  // d vs đ
  "d", "D", "đ", "Đ", "Da", "Đa", "Dan", "Đan", "Đà", "Dà", "Đá", "dá", "đá",
  "Đông", "Dông", "Đồng", "Động", "Đồi", "Dồi",
  // u vs ư, o vs ô vs ơ, a vs ă vs â
  "Mung", "Mừng", "Mưng", "Mường", "Muong", "Muông", "Mương",
  "Tu", "Tư", "Từ", "Tú", "Tứ", "Tự", "Tụ", "Tủ", "Tử",
  "Co", "Cô", "Cơ", "Có", "Cố", "Cớ", "Cọ", "Cộ", "Cợ",
  "Tan", "Tăn", "Tân", "Tàn", "Tằn", "Tần", "Tấn", "Tắn", "Tán",
  // tones decided only after the whole base string
  "Bản Na", "Bản Nà", "Bản Nả", "Bản Nã", "Bản Ná", "Bản Nạ", "Ban Na", "Bàn Na",
  "Bản Nam", "Ban Nam", "Bán Nam", "Bản Nậm", "Bản Nậm Ty",
  "ma", "mà", "mả", "mã", "má", "mạ", "mac", "mạc", "mác", "mách",
  // case pairs
  "chiềng", "Chiềng", "CHIỀNG", "chiềng lề", "Chiềng Lề", "Chiềng lề", "chiềng Lề",
  "ba", "Ba", "BA", "bà", "Bà", "BÀ",
  "an", "An", "ăn", "Ăn", "ân", "Ân",
  // digits
  "1", "2", "10", "9", "Tổ 1", "Tổ 2", "Tổ 10", "Tổ 9", "Bản 3", "Bản 12", "Tiểu khu 4",
  "Tiểu khu 19", "Tiểu khu 1", "Tiểu khu 2a", "Tiểu khu 2b", "2A", "2a", "A2",
  // spaces, hyphens, punctuation
  "Mường Chanh", "Mường-Chanh", "MườngChanh", "Mường Chanh 2", "Mường Chiên",
  "Mường La", "Mường-La", "Mườnglá", "Mường Lạn",
  "Nà Ớt", "Nà-Ớt", "Nà Ơt", "Na Ot", "Nà Ót",
  "Hua La", "Huổi Một", "Huổi Một (cũ)", "Huổi.Một", "Huổi, Một",
  "Phiêng Khoài", "Phiêng-Khoài", "Phiêng Khoái",
  "Co Mạ", "Cò Nòi", "Chiềng Sơ", "Chiềng Sại", "Chiềng Sàng",
  "Yên Châu", "Yên Chấu", "Yên chau", "Ỵên",
  "Quỳnh Nhai", "Quynh Nhai", "Quỳnh Nhài",
  "Sốp Cộp", "Sop Cop", "Sóp Cộp",
  "Thuận Châu", "Thuần Châu", "Thuấn Châu",
  // old and new tone placement
  "Hoà", "Hòa", "Hoa", "Hoà Bình", "Hòa Bình", "Thuỷ", "Thủy", "Thuy", "Khoẻ", "Khỏe", "Quý", "Qúy",
  // more punctuation, symbols and spaces
  "Ngã ba", "Ngã-ba", "Ngã_ba", "Ngã.ba", "Ngã/ba", "(Ngã ba)", "\"Ngã ba\"", "Ngã ba!",
  "Ngã\u00a0ba", "Ngã\tba", "Ngã – ba", "Ngã — ba", "Ngã & ba", "Ngã + ba", "Ngã #1", "Ngã @ba",
  "Km 15+500", "Km 15", "Km15", "Số 1/2", "Số ½", "Số 2²", "Số 22", "100%", "100 $", "100 ₫",
  " Đầu cách", "Đầu  cách", "Đầu cách",
  // letters foreign to Vietnamese, other scripts
  "Müller", "Muller", "Mũller", "Peña", "Pena", "Penh", "Fansipan", "Zeta", "Wolf", "Jarai",
  "Ω", "Москва", "北京",
  // combining sequences typed in unusual order (ICU normalises them)
  "a\u0323\u0302", "a\u0302\u0323", "u\u031b\u0300", "o\u0303\u031b",
];

function communes() {
  const data = JSON.parse(readFileSync(DATA, "utf8"));
  const districts = data.legacy.districts.filter((d) => d.province === PROVINCE);
  const districtCodes = new Set(districts.map((d) => d.code));
  const names = [
    ...data.legacy.communes.filter((c) => districtCodes.has(c.district)).map((c) => c.name),
    ...data.current.communes.filter((c) => c.province === PROVINCE).map((c) => c.name),
    ...districts.map((d) => d.name),
  ];
  return names;
}

const which = process.argv[2] ?? "communes";
let names;
if (which === "communes") names = communes();
else if (which === "tricky") names = TRICKY;
else {
  console.error(`unknown list ${which}: use "communes" or "tricky"`);
  process.exit(2);
}

const unique = [...new Set(names.map((n) => n.normalize("NFC")))];
if (unique.length === 0) {
  console.error("no names found");
  process.exit(1);
}
const collator = new Intl.Collator("vi");
unique.sort(collator.compare);
process.stdout.write(unique.join("\n") + "\n");
