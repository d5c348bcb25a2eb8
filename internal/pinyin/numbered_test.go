package pinyin

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// numberedOrder is a village's grids and groups in the order a person
// numbering them expects.
var numberedOrder = []string{
	"",
	"1号网格", // 1, then hao before zu
	"一组",
	"2号网格",
	"２号网格", // the same number full-width: a tie broken by the text
	"二组",
	"3号网格",
	"三组",
	"十组",
	"十一组",
	"12号网格",
	"二十组",
	"一百零五组",
	"第一网格", // di before dong
	"第二网格",
	"第二网格东",
	"第三网格",
	"第九网格",
	"第十网格",
	"第十一网格",
	"第12网格",
	"第二十网格",
	"东片网格",
	"东片网格二",
	"西片网格",
}

func TestCompareNumbered(t *testing.T) {
	for i, a := range numberedOrder {
		for j, b := range numberedOrder {
			if got := numberedLess(a, b); got != (i < j) {
				t.Errorf("numberedLess(%q, %q) = %t, want %t", a, b, got, i < j)
			}
		}
	}
	shuffled := slices.Clone(numberedOrder)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	slices.SortFunc(shuffled, CompareNumbered)
	if !slices.Equal(shuffled, numberedOrder) {
		t.Errorf("sorted: %q", shuffled)
	}
}

// TestNumberedLessIsAnOrder checks on random names from a small alphabet
// of numerals and words that the order is strict, total and transitive,
// as a sort needs it to be.
func TestNumberedIsAnOrder(t *testing.T) {
	parts := []string{"一", "二", "十", "百", "零", "两", "1", "2", "0", "１", "组", "网格", "第", "东", "a", "·"}
	r := rand.New(rand.NewPCG(1, 2))
	name := func() string {
		s := ""
		for range r.IntN(5) {
			s += parts[r.IntN(len(parts))]
		}
		return s
	}
	for range 20000 {
		a, b, c := name(), name(), name()
		if numberedLess(a, b) && numberedLess(b, a) {
			t.Fatalf("%q and %q each before the other", a, b)
		}
		if a != b && !numberedLess(a, b) && !numberedLess(b, a) {
			t.Fatalf("%q and %q tie", a, b)
		}
		if numberedLess(a, b) && numberedLess(b, c) && !numberedLess(a, c) {
			t.Fatalf("%q < %q < %q but not %q < %q", a, b, c, a, c)
		}
	}
}

func TestNumberValue(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "12": 12, "１２": 12, "一二": 12, "十": 10, "十一": 11, "二十": 20, "二十三": 23, "一百零五": 105, "两千": 2000, "99999999999999999999": 1 << 50} {
		if got := numberValue(s); got != want {
			t.Errorf("numberValue(%q) = %d, want %d", s, got, want)
		}
	}
}
