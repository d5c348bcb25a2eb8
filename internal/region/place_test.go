package region_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"shanzhi/internal/fault"
	"shanzhi/internal/region"
	"shanzhi/internal/regiondata"
)

// placesOf indexes the real villages of 兴安盟 below code, with their
// townships and banners, as the store does for a sheet.
func placesOf(t *testing.T, code string) *region.Places {
	all, err := regiondata.All()
	if err != nil {
		t.Fatal(err)
	}
	name := map[string]string{}
	var ps []region.Place
	for _, r := range all {
		name[r.Code] = r.Name
		if r.Level == regiondata.Village && strings.HasPrefix(r.Code, code) {
			ps = append(ps, region.Place{Code: r.Code, Name: r.Name, Township: r.ParentCode, TownshipName: name[r.ParentCode], BannerName: name[r.Code[:6]+"000000"]})
		}
	}
	return region.NewPlaces(ps)
}

// TestResolveRepeatedNames uses the real repeats: 兴隆村 three times in
// 科右前旗, 平安村 in 科尔沁镇 and in 大石寨镇. A name that does not name
// one village is refused with every candidate and its township; a code,
// a township column or a township written before the name resolves it.
func TestResolveRepeatedNames(t *testing.T) {
	banner := placesOf(t, "152221")
	league := placesOf(t, "1522")
	for _, c := range []struct {
		ps                *region.Places
		village, township string
		want              string   // the code, or "" for a refusal
		mention           []string // what the refusal must list
	}{
		{banner, "平安村", "", "", []string{"科尔沁镇", "大石寨镇", "152221100210", "152221103212"}},
		{banner, "平安村", "科尔沁镇", "152221100210", nil},
		{banner, "平安村", "大石寨镇", "152221103212", nil},
		{banner, "平安村", "152221100000", "152221100210", nil},
		{banner, "科尔沁镇平安村", "", "152221100210", nil},
		{banner, "大石寨镇 平安村", "", "152221103212", nil},
		{banner, "152221103212", "", "152221103212", nil},
		{banner, "152221103212", "科尔沁镇", "", []string{"科尔沁镇"}},
		{banner, "兴隆村", "", "", []string{"居力很镇", "阿力得尔苏木", "巴日嘎斯台乡"}},
		{banner, "兴隆村", "阿力得尔苏木", "152221202218", nil},
		{banner, "兴隆村", "科尔沁镇", "", []string{"科尔沁镇"}},
		{banner, "没有这个村", "", "", []string{"没有这个村"}},
		{banner, "", "", "", nil},
		// Across the league 平安村 is also in 突泉县; a banner's sheet never
		// reaches it, a league's lists it.
		{league, "平安村", "", "", []string{"突泉县 学田乡 平安村"}},
		{league, "平安村", "学田乡", "152224200208", nil},
		{league, "兴隆村", "", "", []string{"扎赉特旗 音德尔镇", "突泉镇"}},
		// A banner's sheet cannot name another banner's village by code.
		{banner, "152224200208", "", "", nil},
	} {
		p, err := c.ps.Resolve(c.village, c.township)
		if c.want != "" {
			if err != nil || p.Code != c.want {
				t.Errorf("%s / %s: %+v %v, want %s", c.village, c.township, p, err, c.want)
			}
			continue
		}
		if !fault.Is(err, fault.Invalid) {
			t.Errorf("%s / %s: %+v %v, want a refusal", c.village, c.township, p, err)
			continue
		}
		var fe *fault.Error
		if !errors.As(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Name != "village" {
			t.Errorf("%s / %s: %v not on the village field", c.village, c.township, err)
			continue
		}
		text := fmt.Sprint(fe.Msg.Args...)
		for _, m := range c.mention {
			if !strings.Contains(text, m) {
				t.Errorf("%s / %s: refusal %q does not mention %s", c.village, c.township, text, m)
			}
		}
	}
}

// BenchmarkResolveLeagueSheet resolves a league's sheet of 1,286 rows
// (the seed's count) among every village of 兴安盟, half by name with the
// township, half by code, as a league-level import does per check.
func BenchmarkResolveLeagueSheet(b *testing.B) {
	all, err := regiondata.All()
	if err != nil {
		b.Fatal(err)
	}
	name := map[string]string{}
	var ps []region.Place
	for _, r := range all {
		name[r.Code] = r.Name
		if r.Level == regiondata.Village && strings.HasPrefix(r.Code, "1522") {
			ps = append(ps, region.Place{Code: r.Code, Name: r.Name, Township: r.ParentCode, TownshipName: name[r.ParentCode], BannerName: name[r.Code[:6]+"000000"]})
		}
	}
	type row struct{ village, township string }
	rows := make([]row, 1286)
	for i := range rows {
		p := ps[(i*7)%len(ps)]
		rows[i] = row{p.Name, p.TownshipName}
		if i%2 == 1 {
			rows[i] = row{p.Code, ""}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		places := region.NewPlaces(ps)
		for _, r := range rows {
			if _, err := places.Resolve(r.village, r.township); err != nil {
				b.Fatal(err)
			}
		}
	}
}
