package sqlstore

import (
	"testing"

	"shanzhi/internal/scheme"
)

// TestSchemeCacheHoldsOffWhileASchemeIsWritten: from a scheme write until
// its commit group ends, nothing resolved may be kept, since it may rest
// on rows a rollback takes away; afterwards the cache fills again.
func TestSchemeCacheHoldsOffWhileASchemeIsWritten(t *testing.T) {
	var c schemeCache
	r := scheme.Resolved{BaseScore: 100}
	c.keep("v|d", r)
	if got, ok := c.get("v|d"); !ok || got.BaseScore != 100 {
		t.Fatalf("kept = %+v, %v", got, ok)
	}
	c.written()
	if _, ok := c.get("v|d"); ok {
		t.Fatal("a scheme write left the cache filled")
	}
	c.keep("v|d", r)
	if _, ok := c.get("v|d"); ok {
		t.Fatal("the cache filled while a scheme write was pending")
	}
	c.settle()
	c.keep("v|d", r)
	if _, ok := c.get("v|d"); !ok {
		t.Fatal("the cache stays empty after the write's group ended")
	}
	for i := range schemeCacheSize + 1 {
		c.keep(string(rune(i)), r)
	}
	if len(c.m) > schemeCacheSize {
		t.Fatalf("the cache grew to %d entries", len(c.m))
	}
}
