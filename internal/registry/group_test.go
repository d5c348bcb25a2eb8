package registry

import "testing"

func TestGroupOf(t *testing.T) {
	for in, want := range map[string]string{
		"三组 12 号":     "三组",
		"平安村一组１２号":    "一组",
		"二社 5 号":      "二社",
		"第3村民小组":      "第3村民小组",
		"科尔沁镇团结路 8 号": "科尔沁镇团结路",
		"新华街 3 号":     "新华街",
		"嘎查东头":        "",
		"":            "",
		"１０组":         "10组",
	} {
		if got := GroupOf(in); got != want {
			t.Errorf("GroupOf(%q) = %q, want %q", in, got, want)
		}
	}
}
