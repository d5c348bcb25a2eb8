package i18n

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// TestPublicKeysHaveMongolian checks the public subset: every key of it
// exists in Chinese and has a traditional-Mongolian entry written in the
// Mongolian block (not Latin transliteration, not private-use glyphs of an
// old input method), with the same format verbs as the Chinese; the
// Mongolian file holds nothing outside the subset, and every draft names
// an entry.
func TestPublicKeysHaveMongolian(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	pub := c.PublicKeys()
	if len(pub) < 40 {
		t.Fatalf("only %d public keys: the list is not being read", len(pub))
	}
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for _, k := range pub {
		if !c.Has(ZH, k) {
			t.Errorf("public key %s is not in zh-CN", k)
		}
		mn, ok := c.Mongol(k)
		if !ok {
			t.Errorf("public key %s has no Mongolian entry", k)
			continue
		}
		letters := 0
		for _, r := range mn {
			switch {
			case unicode.Is(unicode.Mongolian, r):
				letters++
			case r >= 0xE000 && r <= 0xF8FF:
				t.Errorf("%s: private-use code point %U in the Mongolian entry", k, r)
			}
		}
		if letters == 0 {
			t.Errorf("%s: the Mongolian entry %q has no Mongolian script", k, mn)
		}
		a, b := verbs.FindAllString(c.langs[ZH][k], -1), verbs.FindAllString(mn, -1)
		if strings.Join(a, " ") != strings.Join(b, " ") {
			t.Errorf("%s: zh-CN has %v, mn has %v", k, a, b)
		}
	}
	for _, k := range c.Keys(MN) {
		if !c.Public(k) {
			t.Errorf("mn.json has %s, which is not in public.txt", k)
		}
	}
	for _, d := range c.Drafts() {
		if d.Mongolian == "" {
			t.Errorf("mn-draft.txt lists %s, which mn.json lacks", d.Key)
		}
	}
	if _, ok := c.Mongol("action.save"); ok {
		t.Error("a staff text is served in Mongolian")
	}
}
