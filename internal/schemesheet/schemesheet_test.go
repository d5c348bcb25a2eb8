package schemesheet

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"shanzhi/internal/fault"
	"shanzhi/internal/scheme"
)

// TestRoundTrip writes the template with a short notice and reads back
// the same scheme: every item with its points, unit, cap, evidence and
// roles, and the settings from the first row.
func TestRoundTrip(t *testing.T) {
	s := scheme.DefaultTemplate()
	s.NoticeDays, s.BaseScore, s.CarryOver = 3, 100, scheme.Expire
	var buf bytes.Buffer
	if err := Write(&buf, &s, "科尔沁镇", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	got, err := Read("方案.xlsx", buf.Bytes(), "152221100210", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != s.Name || got.NoticeDays != 3 || got.BaseScore != 100 || got.BasePeriod != s.BasePeriod || got.CarryOver != scheme.Expire {
		t.Fatalf("settings: %q notice %d base %d %s %s", got.Name, got.NoticeDays, got.BaseScore, got.BasePeriod, got.CarryOver)
	}
	if !reflect.DeepEqual(got.Aspects, s.Aspects) {
		t.Fatalf("aspects: %+v", got.Aspects)
	}
	if !reflect.DeepEqual(got.Items, s.Items) {
		for i := range s.Items {
			if !reflect.DeepEqual(got.Items[i], s.Items[i]) {
				t.Fatalf("item %d: %+v, want %+v", i, got.Items[i], s.Items[i])
			}
		}
		t.Fatalf("%d items, want %d", len(got.Items), len(s.Items))
	}
}

// TestReadRefuses names a file that is no scheme sheet.
func TestReadRefuses(t *testing.T) {
	if _, err := Read("x.csv", []byte("姓名,身份证号\n张三,1\n"), "152221100210", 1<<20); !fault.Is(err, fault.Invalid) {
		t.Fatalf("a register read as a scheme: %v", err)
	}
}
