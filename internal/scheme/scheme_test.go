package scheme

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
)

const (
	township = "152221100000"
	village  = "152221100210"
	banner   = "152221000000"
)

func day(s string) time.Time { return ParseDay(s) }

func keyOf(err error) string {
	var e *fault.Error
	if errors.As(err, &e) {
		return e.Msg.Key
	}
	return ""
}

func fieldKeys(err error) map[string]string {
	out := map[string]string{}
	var e *fault.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			out[f.Name] = f.Msg.Key
		}
	}
	return out
}

func TestDefaultTemplate(t *testing.T) {
	s := DefaultTemplate()
	var names []string
	for _, a := range s.Aspects {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, " "); got != "环境卫生 产业发展 热心公益 孝老爱亲 遵纪守法 移风易俗" {
		t.Fatalf("aspects = %s", got)
	}
	if len(s.Items) != 40 {
		t.Fatalf("template has %d items, want 40", len(s.Items))
	}
	codes, perAspect := map[string]bool{}, map[string]int{}
	deductions := 0
	for _, it := range s.Items {
		if codes[it.Code] {
			t.Errorf("item code %s repeats", it.Code)
		}
		codes[it.Code] = true
		perAspect[it.Aspect]++
		if it.Points < 0 {
			deductions++
		}
	}
	for _, a := range s.Aspects {
		if perAspect[a.Code] < 5 {
			t.Errorf("aspect %s has only %d items", a.Name, perAspect[a.Code])
		}
	}
	if deductions == 0 {
		t.Error("the template has no deductions")
	}
	s.Region, s.EffectiveFrom = village, day("2026-06-01")
	if err := s.Validate(); err != nil {
		t.Fatalf("template does not validate: %v %v", err, fieldKeys(err))
	}
	// Each call returns a fresh copy a village may edit.
	DefaultTemplate().Items[0].Roles[0] = access.Villager
	if DefaultTemplate().Items[0].Roles[0] != access.Operator {
		t.Fatal("the template shares its slices between calls")
	}
}

func TestValidate(t *testing.T) {
	valid := func() Scheme {
		s := DefaultTemplate()
		s.Region, s.EffectiveFrom = village, day("2026-06-01")
		s.Items = s.Items[:3]
		return s
	}
	tests := []struct {
		name  string
		edit  func(*Scheme)
		field string
		key   string
	}{
		{"no name", func(s *Scheme) { s.Name = "" }, "name", "scheme.name.required"},
		{"bad region", func(s *Scheme) { s.Region = "1522" }, "region", "scheme.region"},
		{"base score", func(s *Scheme) { s.BaseScore = -1 }, "base_score", "scheme.base_score"},
		{"base period", func(s *Scheme) { s.BasePeriod = "week" }, "base_period", "scheme.base_period"},
		{"carry over", func(s *Scheme) { s.CarryOver = "keep" }, "carry_over", "scheme.carry_over"},
		{"no start", func(s *Scheme) { s.EffectiveFrom = time.Time{} }, "effective_from", "scheme.effective"},
		{"aspect dup", func(s *Scheme) { s.Aspects[1].Code = s.Aspects[0].Code }, "aspects.1.code", "scheme.code_dup"},
		{"item code", func(s *Scheme) { s.Items[0].Code = "环境" }, "items.0.code", "scheme.code"},
		{"item dup", func(s *Scheme) { s.Items[2].Code = s.Items[1].Code }, "items.2.code", "scheme.code_dup"},
		{"item aspect", func(s *Scheme) { s.Items[1].Aspect = "nope" }, "items.1.aspect", "scheme.item.aspect"},
		{"zero points", func(s *Scheme) { s.Items[0].Points = 0 }, "items.0.points", "scheme.item.points"},
		{"huge deduction", func(s *Scheme) { s.Items[0].Points = -5000 }, "items.0.points", "scheme.item.points"},
		{"unit", func(s *Scheme) { s.Items[0].Unit = "day" }, "items.0.unit", "scheme.item.unit"},
		{"cap period", func(s *Scheme) { s.Items[0].Cap, s.Items[0].CapPeriod = 2, "week" }, "items.0.cap", "scheme.item.cap"},
		{"no roles", func(s *Scheme) { s.Items[0].Roles = nil }, "items.0.roles", "scheme.item.roles"},
		{"villager role", func(s *Scheme) { s.Items[0].Roles = []access.Role{access.Villager} }, "items.0.roles", "scheme.item.role"},
		{"item dates", func(s *Scheme) {
			s.Items[0].EffectiveFrom, s.Items[0].EffectiveTo = day("2026-07-01"), day("2026-07-01")
		}, "items.0.effective_to", "scheme.effective"},
		{"no items", func(s *Scheme) { s.Items = nil }, "items", "scheme.items.required"},
		{"no notice", func(s *Scheme) { s.NoticeDays = 0 }, "notice_days", "scheme.notice_days"},
		{"long notice", func(s *Scheme) { s.NoticeDays = 61 }, "notice_days", "scheme.notice_days"},
		// 庭院整洁 counts per month: more than one a month, or twelve a
		// year, contradicts its unit.
		{"monthly cap", func(s *Scheme) { s.Items[0].Cap = 2 }, "items.0.cap", "scheme.item.cap_unit"},
		{"yearly cap", func(s *Scheme) { s.Items[0].Cap, s.Items[0].CapPeriod = 13, Year }, "items.0.cap", "scheme.item.cap_unit"},
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid scheme: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			tc.edit(&s)
			err := s.Validate()
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
			if got := fieldKeys(err)[tc.field]; got != tc.key {
				t.Fatalf("field %s: %q, want %q (all: %v)", tc.field, got, tc.key, fieldKeys(err))
			}
		})
	}
	// A layer needs no aspects or items of its own and may name its
	// parent's aspects.
	layer := Scheme{Region: village, Name: "平安村", Inherits: true, EffectiveFrom: day("2026-06-01"), BasePeriod: Month, CarryOver: Carry,
		Items: []Item{{Code: "local-01", Aspect: "env", Name: "清理河道", Points: 3, Unit: PerOccurrence, Roles: []access.Role{access.Operator}}}}
	if err := layer.Validate(); err != nil {
		t.Fatalf("layer: %v %v", err, fieldKeys(err))
	}
}

// chain builds a township scheme from the template in two versions and a
// village layer that adds one item and overrides one.
func chain() []Scheme {
	v1 := DefaultTemplate()
	v1.ID, v1.Region, v1.Version, v1.EffectiveFrom, v1.EffectiveTo = 1, township, 1, day("2026-01-01"), day("2026-07-01")
	v2 := DefaultTemplate()
	v2.ID, v2.Region, v2.Version, v2.EffectiveFrom = 2, township, 2, day("2026-07-01")
	v2.Items[0].Points = 4 // 庭院整洁 worth more from July
	over := v1.Items[1]    // 门前三包, overridable
	over.Points = 3
	layer := Scheme{ID: 3, Region: village, Version: 1, Name: "平安村道德银行", Inherits: true, EffectiveFrom: day("2026-03-01"),
		BaseScore: 100, BasePeriod: Month, CarryOver: Expire,
		Items: []Item{over, {Code: "local-01", Aspect: "env", Name: "清理河道", Points: 3, Unit: PerOccurrence, Roles: []access.Role{access.Operator}}}}
	other := DefaultTemplate() // a sibling township's scheme, never used
	other.ID, other.Region, other.Version, other.EffectiveFrom = 9, "152221101000", 1, day("2026-01-01")
	return []Scheme{layer, v2, other, v1}
}

func TestEffective(t *testing.T) {
	tests := []struct {
		date     string
		versions string
		env01    int
		env02    int
		local    bool
		base     int
	}{
		{"2026-02-01", "[1]", 2, 2, false, 0},
		{"2026-06-15", "[1 3]", 2, 3, true, 100},
		{"2026-06-30", "[1 3]", 2, 3, true, 100},
		{"2026-07-01", "[2 3]", 4, 3, true, 100},
	}
	for _, tc := range tests {
		t.Run(tc.date, func(t *testing.T) {
			r, err := Effective(chain(), village, day(tc.date))
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(r.VersionIDs()); got != tc.versions {
				t.Fatalf("versions = %v, want %s", r.VersionIDs(), tc.versions)
			}
			e1, _ := r.Item("env-01")
			e2, _ := r.Item("env-02")
			_, local := r.Item("local-01")
			if e1.Points != tc.env01 || e2.Points != tc.env02 || local != tc.local || r.BaseScore != tc.base {
				t.Fatalf("env-01 %d env-02 %d local %v base %d", e1.Points, e2.Points, local, r.BaseScore)
			}
			if tc.local && (e2.OverriddenBy != 3 || e2.BasePoints != 2 || r.CarryOver != Expire || len(r.Items) != 41) {
				t.Fatalf("override = %+v, carry %s, %d items", e2, r.CarryOver, len(r.Items))
			}
		})
	}
	if _, err := Effective(chain(), village, day("2025-12-31")); !fault.Is(err, fault.NotFound) || keyOf(err) != "scheme.none" {
		t.Fatalf("before any scheme: %v", err)
	}
	// The village layer alone is not a scheme.
	if _, err := Effective(chain()[:1], village, day("2026-06-15")); keyOf(err) != "scheme.none" {
		t.Fatalf("orphan layer: %v", err)
	}
	// The banner's scheme above the township's standalone one is not used.
	ban := DefaultTemplate()
	ban.ID, ban.Region, ban.Version, ban.EffectiveFrom = 7, banner, 1, day("2025-01-01")
	r, err := Effective(append(chain(), ban), village, day("2026-06-15"))
	if err != nil || fmt.Sprint(r.VersionIDs()) != "[1 3]" {
		t.Fatalf("with banner: %v %v", r.VersionIDs(), err)
	}
}

func TestEffectiveRefuses(t *testing.T) {
	locked := func(c []Scheme) {
		it := c[3].Items[6] // 乱倒垃圾污水, not overridable
		it.Points = -1
		c[0].Items = append(c[0].Items, it)
	}
	tests := []struct {
		name string
		edit func([]Scheme)
		key  string
	}{
		{"locked item", locked, "scheme.override.locked"},
		{"overrides off", func(c []Scheme) { c[3].AllowOverride = false }, "scheme.override.not_allowed"},
		{"local items off", func(c []Scheme) { c[3].AllowLocalItems = false }, "scheme.local.not_allowed"},
		{"unknown aspect", func(c []Scheme) { c[0].Items[1].Aspect = "sports" }, "scheme.item.aspect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := chain()
			tc.edit(c)
			_, err := Effective(c, village, day("2026-06-15"))
			if !fault.Is(err, fault.Conflict) || keyOf(err) != tc.key {
				t.Fatalf("err = %v, want conflict %s", err, tc.key)
			}
		})
	}
	// Owners' rules accumulate down the chain: a township layer that
	// forbids local items binds its villages although the banner's
	// standalone scheme allows them.
	c := chain()
	for i := range c {
		if c[i].Region == township {
			c[i].Region = banner
		}
	}
	mid := Scheme{ID: 5, Region: township, Version: 1, Name: "科尔沁镇", Inherits: true, EffectiveFrom: day("2026-01-01"),
		BasePeriod: Month, CarryOver: Carry, AllowOverride: true}
	if _, err := Effective(append(c, mid), village, day("2026-06-15")); keyOf(err) != "scheme.local.not_allowed" {
		t.Fatalf("through a forbidding township: %v", err)
	}
	mid.AllowLocalItems = true
	r, err := Effective(append(c, mid), village, day("2026-06-15"))
	if err != nil || fmt.Sprint(r.VersionIDs()) != "[1 5 3]" || r.Name != "平安村道德银行" {
		t.Fatalf("through an allowing township: %v %v", r.VersionIDs(), err)
	}
}

func TestCheckAward(t *testing.T) {
	r, err := Effective(chain(), village, day("2026-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		code    string
		role    access.Role
		ev      Evidence
		already int
		want    fault.Code
		key     string
		field   string
	}{
		{"ok", "env-01", access.Operator, Evidence{Photo: true}, 0, "", "", ""},
		{"unknown item", "nope-01", access.Operator, Evidence{}, 0, fault.NotFound, "scheme.item_not_found", ""},
		{"wrong role", "env-01", access.Clerk, Evidence{Photo: true}, 0, fault.Forbidden, "scheme.award.role", ""},
		{"leader item", "law-03", access.Leader, Evidence{Text: true}, 0, "", "", ""},
		{"photo missing", "env-01", access.Operator, Evidence{Text: true}, 0, fault.Invalid, "error.invalid_fields", "photo"},
		{"witness missing", "fil-01", access.Operator, Evidence{Text: true}, 0, fault.Invalid, "error.invalid_fields", "witness"},
		{"monthly cap", "env-01", access.Operator, Evidence{Photo: true}, 1, fault.Conflict, "scheme.award.cap.month", ""},
		{"under cap", "env-02", access.Operator, Evidence{Photo: true}, 3, "", "", ""},
		{"yearly cap", "ind-01", access.Operator, Evidence{Photo: true, Text: true}, 1, fault.Conflict, "scheme.award.cap.year", ""},
		{"no cap", "env-06", access.Operator, Evidence{Photo: true}, 50, "", "", ""},
		{"local item", "local-01", access.Operator, Evidence{}, 0, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckAward(r, tc.code, tc.role, tc.ev, tc.already)
			if fault.CodeOf(err) != tc.want || keyOf(err) != tc.key {
				t.Fatalf("err = %v, want %q %q", err, tc.want, tc.key)
			}
			if tc.field != "" && fieldKeys(err)[tc.field] != "scheme.award."+tc.field {
				t.Fatalf("fields = %v", fieldKeys(err))
			}
		})
	}
}

// TestMessageKeysExist checks every scheme.* key the package and its
// store use against both catalogues.
func TestMessageKeysExist(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`"(scheme\.[a-z0-9_.]+)"`)
	keys := []string{"scheme.award.cap.month", "scheme.award.cap.year"}
	for _, p := range []string{"scheme.go", "template.go", "../sqlstore/scheme.go"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") {
				keys = append(keys, m[1])
			}
		}
	}
	if len(keys) < 30 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for _, k := range keys {
		if !c.Has(i18n.ZH, k) || !c.Has(i18n.EN, k) {
			t.Errorf("catalogue lacks %s", k)
		}
	}
}

// TestDiff compares a draft with the version in force item by item.
func TestDiff(t *testing.T) {
	cur := DefaultTemplate().Items[:4]
	next := append([]Item(nil), cur[1:]...)
	next[0].Points, next[0].Roles = 9, []access.Role{access.Leader}
	next = append(next, Item{Code: "new-01", Name: "新项目"})
	got := map[string]ItemDiff{}
	for _, d := range Diff(cur, next) {
		got[d.Code] = d
	}
	if d := got[cur[0].Code]; d.Change != Removed || d.New != nil {
		t.Errorf("dropped item: %+v", d)
	}
	if d := got[cur[1].Code]; d.Change != Changed || strings.Join(d.Fields, ",") != "points,roles" {
		t.Errorf("changed item: %+v", d)
	}
	if d := got[cur[2].Code]; d.Change != Same {
		t.Errorf("kept item: %+v", d)
	}
	if d := got["new-01"]; d.Change != Added || d.Old != nil {
		t.Errorf("added item: %+v", d)
	}
}

// TestNoticeDays keeps a village layer's notice when it sets one and the
// township's when it leaves it 0.
func TestNoticeDays(t *testing.T) {
	c := chain()
	for i := range c {
		if !c[i].Inherits {
			c[i].NoticeDays = 3
		}
	}
	r, err := Effective(c, village, day("2026-08-01"))
	if err != nil || r.NoticeDays != 3 {
		t.Fatalf("inherited notice = %d (%v)", r.NoticeDays, err)
	}
	for i := range c {
		if c[i].Inherits {
			c[i].NoticeDays = 2
		}
	}
	if r, _ := Effective(c, village, day("2026-08-01")); r.NoticeDays != 2 {
		t.Fatalf("layer's own notice = %d", r.NoticeDays)
	}
}
