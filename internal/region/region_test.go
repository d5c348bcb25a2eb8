package region

import (
	"testing"

	"shanzhi/internal/regioncode"
)

func TestKindOf(t *testing.T) {
	if KindOf(regioncode.Village, "平安村") != "村" || KindOf(regioncode.Village, "巴彦嘎查") != "嘎查" || KindOf(regioncode.Village, "和平社区") != "社区" || KindOf(regioncode.Village, "一分场") != "其他" {
		t.Fatal("KindOf village suffixes")
	}
}

// TestBilingualByKind: a 嘎查 and a 苏木 write both scripts until they
// choose, a 村 and a 镇 Chinese only; a choice wins over the kind.
func TestBilingualByKind(t *testing.T) {
	for kind, want := range map[string]bool{"嘎查": true, "苏木": true, "村": false, "镇": false, "旗": false} {
		if got := (&Region{Kind: kind}).Bilingual(); got != want {
			t.Errorf("%s: %v", kind, got)
		}
	}
	if (&Region{Kind: "苏木", Script: ScriptChinese}).Bilingual() || !(&Region{Kind: "镇", Script: ScriptBilingual}).Bilingual() {
		t.Error("a choice does not win over the kind")
	}
}
