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
