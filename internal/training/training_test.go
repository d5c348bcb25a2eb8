package training

import (
	"testing"

	"shanzhi/internal/fault"
)

func TestDraftItems(t *testing.T) {
	needs := []Need{{"县处级", "党政机关", "科学决策", 1}, {"县处级", "党政机关", "招商引资", 2}, {"县处级", "党政机关", "应急处突", 3},
		{"科员", "事业单位", "数字化应用", 1}}
	rows := DraftItems(needs, map[string]string{"县处级": "county"}, 2)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want the top 2 of the first stratum and the unknown rank's", len(rows))
	}
	if rows[0].Input != (ItemInput{Rank: "county", Sector: "党政机关", Competency: "科学决策", Priority: 1}) || rows[0].Err != nil {
		t.Errorf("first row %+v", rows[0])
	}
	if !fault.Is(rows[2].Err, fault.Invalid) || rows[2].Line != 4 {
		t.Errorf("a rank not on the list: %+v", rows[2])
	}
}
