package survey

import (
	"reflect"
	"testing"

	"shanzhi/internal/fault"
)

func TestFromText(t *testing.T) {
	needs := NeedsTemplate("152221100000").Questions
	lack, rank, past := needs[2], needs[0], needs[4]
	for _, c := range []struct {
		q    Question
		in   string
		want []string
	}{
		{lack, "科学决策、改革攻坚", []string{"decision", "reform"}},
		{lack, " 科学决策，digital ; 乡村振兴 ", []string{"decision", "digital", "rural"}},
		{rank, "县处级", []string{"county"}},
		{rank, "处长", []string{"处长"}},
		{past, "４", []string{"4"}},
		{needs[5], " 多安排现场教学 ", []string{"多安排现场教学"}},
		{rank, "  ", nil},
	} {
		if got := c.q.FromText(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %q: %v, want %v", c.q.Key, c.in, got, c.want)
		}
	}
}

func TestCheck(t *testing.T) {
	qs := []Question{
		{Key: "a", Kind: Single, Label: "甲", Required: true, Options: []Option{{"x", "X"}, {"y", "Y"}}},
		{Key: "b", Kind: Multiple, Label: "乙", Options: []Option{{"x", "X"}, {"y", "Y"}}},
		{Key: "n", Kind: Number, Label: "数", Min: 1, Max: 9},
	}
	for name, c := range map[string]struct {
		in    map[string][]string
		field string
		items int
	}{
		"good":             {map[string][]string{"a": {"x"}, "b": {"x", "y", "x"}, "n": {"9"}}, "", 4},
		"required":         {map[string][]string{"b": {"x"}}, "q_a", 0},
		"not an option":    {map[string][]string{"a": {"z"}}, "q_a", 0},
		"two singles":      {map[string][]string{"a": {"x", "y"}}, "q_a", 0},
		"out of range":     {map[string][]string{"a": {"x"}, "n": {"10"}}, "q_n", 0},
		"unknown question": {map[string][]string{"a": {"x"}, "c": {"1"}}, "q_c", 0},
	} {
		items, err := Check(qs, true, AnswerInput{Values: c.in})
		if c.field == "" {
			if err != nil || len(items) != c.items {
				t.Errorf("%s: %v, %d items", name, err, len(items))
			}
			continue
		}
		fe, ok := err.(*fault.Error)
		if !ok || fe.Code != fault.Invalid || len(fe.Fields) == 0 || fe.Fields[0].Name != c.field {
			t.Errorf("%s: %v, want invalid on %s", name, err, c.field)
		}
	}
}

func TestValidateQuestions(t *testing.T) {
	if err := NeedsTemplate("152221100000").Validate(); err != nil {
		t.Fatalf("the needs template: %v", err)
	}
	in := Input{Region: "152221100000", Title: "题", Questions: []Question{{Key: "r", Kind: Rating, Label: "分", Min: 0, Max: 11}}}
	if err := in.Validate(); !fault.Is(err, fault.Invalid) {
		t.Errorf("a twelve-point scale: %v", err)
	}
}
