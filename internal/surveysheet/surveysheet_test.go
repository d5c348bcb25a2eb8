package surveysheet

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"shanzhi/internal/sheet"
	"shanzhi/internal/survey"
)

// readBack returns a workbook's data rows by their first non-serial cells,
// as an official opening the file would read them.
func readBack(t *testing.T, data []byte, want []string) [][]string {
	t.Helper()
	rd, err := sheet.Open("x.xlsx", bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	h, err := rd.Header(want, len(want))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(want))
		for i, w := range want {
			if j := h.Columns[w]; j < len(row.Cells) {
				cells[i] = row.Cells[j]
			}
		}
		out = append(out, cells)
	}
}

func TestWorkbooks(t *testing.T) {
	s := &survey.Survey{Input: survey.NeedsTemplate("152221100000"), Version: 1}
	s.Live = s.Questions
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	an := &survey.Analysis{Total: 3, Channels: []survey.ChannelCount{{Channel: survey.Online, Count: 2}, {Channel: survey.Visit, Count: 1}},
		Questions: []survey.QuestionStats{{Question: s.Live[0], Answered: 3, Options: []survey.OptionCount{{Key: "county", Label: "县处级", Count: 2, Share: 2.0 / 3}}}}}
	if err := Analysis(&buf, s, "科尔沁镇", now, an); err != nil {
		t.Fatal(err)
	}
	rows := readBack(t, buf.Bytes(), []string{"题目", "选项", "人数", "占比（%）"})
	if len(rows) != 5 || rows[0][2] != "3" || rows[1][0] != "其中：问卷调查" || rows[4][1] != "县处级" || rows[4][2] != "2" || rows[4][3] != "66.7" {
		t.Fatalf("analysis rows %q", rows)
	}
	buf.Reset()
	answers := []survey.AnswerRow{{ID: 1, Version: 1, Channel: survey.Visit, EnteredBy: "zzb", At: now,
		Values: map[string]string{"rank": "县处级", "lacking": "科学决策、改革攻坚"}}}
	if err := Answers(&buf, s, "科尔沁镇", now, answers); err != nil {
		t.Fatal(err)
	}
	rows = readBack(t, buf.Bytes(), []string{"渠道", "录入人", s.Live[0].Label, s.Live[2].Label})
	if len(rows) != 1 || rows[0][0] != "深入走访" || rows[0][1] != "zzb" || rows[0][2] != "县处级" || rows[0][3] != "科学决策、改革攻坚" {
		t.Fatalf("answer rows %q", rows)
	}
	buf.Reset()
	items := []survey.RankedItem{{Rank: "县处级", Sector: "党政机关", Competency: "科学决策", Count: 17, Respondents: 57, Share: 17.0 / 57, Place: 1}}
	if err := Ranking(&buf, s, "科尔沁镇", now, items); err != nil {
		t.Fatal(err)
	}
	rows = readBack(t, buf.Bytes(), []string{"职级", "单位类型", "位次", "紧缺能力", "提及人数", "提及率（%）"})
	if len(rows) != 1 || rows[0][3] != "科学决策" || rows[0][4] != "17" || rows[0][5] != "29.8" {
		t.Fatalf("ranking rows %q", rows)
	}
}
