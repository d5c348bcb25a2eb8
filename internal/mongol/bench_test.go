package mongol

import "testing"

// BenchmarkKeys measures what every write of a resident with a Mongolian
// name and every Mongolian search pays: normalising the text and making
// its search and sort keys.
func BenchmarkKeys(b *testing.B) {
	name := "\u182A\u1820\u1832\u180B\u1824 \u182E\u1825\u1829\u182C\u1821\u202F\u1836\u1822\u1828"
	for b.Loop() {
		n := Normalize(name)
		if Key(n) == "" || SortKey(n) == "" {
			b.Fatal("empty key")
		}
	}
}
